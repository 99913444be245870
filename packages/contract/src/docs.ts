import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';

/** The contract describes itself too, so tooling that walks the document finds where it lives. */
export const docsPaths: ZodOpenApiPathsObject = {
  '/openapi.json': {
    get: {
      operationId: 'openApiDocument',
      summary: 'This OpenAPI 3.1 document',
      responses: {
        '200': {
          description: 'the document',
          content: { 'application/json': { schema: z.looseObject({ openapi: z.string() }).meta({ description: 'an OpenAPI 3.1 document' }) } },
        },
      },
    },
  },
  '/docs': {
    get: {
      operationId: 'apiDocsPage',
      summary: 'A browsable page of this document (Swagger UI, served from local files)',
      responses: { '200': { description: 'the page', content: { 'text/html': { schema: z.string() } } } },
    },
  },
};
