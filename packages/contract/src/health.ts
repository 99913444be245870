import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, isoTime } from './common';

export const liveness = z.object({ status: z.literal('ok') }).meta({ id: 'Liveness' });

export const readiness = z
  .object({
    status: z.literal('ok'),
    details: z
      .object({
        paused_tenants: z.array(z.object({ tenant: z.string(), reason: z.string(), since: isoTime })),
      })
      .optional(),
  })
  .meta({ id: 'Readiness' });

export const healthPaths: ZodOpenApiPathsObject = {
  '/healthz': {
    get: {
      operationId: 'liveness',
      summary: 'The process answers',
      responses: { '200': { description: 'alive', content: { 'application/json': { schema: liveness } } } },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      summary: 'Redis answers; paused tenants are named but do not make the API unready',
      responses: {
        '200': { description: 'ready', content: { 'application/json': { schema: readiness } } },
        ...errorResponses(503),
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      summary: 'Prometheus metrics; with metrics.bearerTokenSha256 set, only for `Authorization: Bearer <that token>`',
      responses: {
        '200': { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } },
        ...errorResponses(401),
      },
    },
  },
};
