import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { adminPaths } from './admin';
import { budgetPaths } from './budget';
import { spendPaths } from './spend';
import { docsPaths } from './docs';
import { dropInPaths } from './drop-in';
import { healthPaths } from './health';
import { refreshRequestPaths } from './refresh-requests';

export type OpenApiDocument = ReturnType<typeof createDocument>;

/**
 * Every path of the API. Each feature owns its file and exports its paths; they are only
 * joined here, so the document and the validation can never describe two contracts.
 */
const PATHS: ZodOpenApiPathsObject[] = [refreshRequestPaths, dropInPaths, budgetPaths, spendPaths, healthPaths, docsPaths, adminPaths];

/** The OpenAPI 3.1 document of the API, built from the schemas that validate its requests. */
export function openApiDocument(version = '0.1.0'): OpenApiDocument {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'VOD refresh service',
      version,
      description:
        "Queues refreshes of Huawei Cloud VOD's CDN cache of any size, spends each tenant's daily budget of VOD calls exactly, " +
        'and follows every item to its final state. Errors have VOD\'s shape: `{"error_code", "error_msg", "details"?}`.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: "the caller's API key" },
        xAuthToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: "the caller's API key in VOD's token header" },
        adminBearer: { type: 'http', scheme: 'bearer', description: "the operators' admin key (config admin.apiKeySha256)" },
      },
    },
    paths: Object.assign({}, ...PATHS) as ZodOpenApiPathsObject,
  });
}
