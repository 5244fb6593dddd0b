/**
 * OpenAPI document generated from the routes' zod schemas (JSON at /docs/json) and Swagger UI
 * at /docs. Registered before the routes so it sees every one of them.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { shared } from '../shared-plugin.js';

export default shared(async function openapi(app: FastifyInstance) {
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'sheetdiff',
        description:
          'Asynchronous spreadsheet diff. Errors are application/problem+json (RFC 9457) with a stable `code`; ' +
          'POSTs that create or charge honour `Idempotency-Key`. Every route is also served without the /api/v1 prefix.',
        version: '1',
      },
      servers: [{ url: app.deps.config.http.publicBaseUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'sdk_… key from `sheetdiff apikey create`' },
          accountCookie: { type: 'apiKey', in: 'cookie', name: 'sd_account' },
        },
      },
      security: [{ apiKey: [] }, { accountCookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}, 'sheetdiff-openapi');
