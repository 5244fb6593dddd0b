/**
 * Signed download links of the local storage driver: `GET /files/<key>?exp&name&sig`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERRORS } from '../../errors/index.js';
import { verifySignedDownload } from '../../storage/signed-url.js';
import { contentDisposition } from '../content-disposition.js';
import { sendRaw } from '../reply.js';
import { problemResponses } from '../schemas.js';

const FileQuerySchema = z.object({
  // Missing parts fail the signature check (403), not schema validation.
  exp: z.string().max(20).default('0'),
  name: z.string().max(300).optional(),
  sig: z.string().max(100).default(''),
});

const fileRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/files/*',
    {
      schema: {
        tags: ['downloads'],
        summary: 'a signed download link (403 invalid_signature, 410 link_expired)',
        params: z.object({ '*': z.string() }),
        querystring: FileQuerySchema,
        response: { 200: z.any().describe('the file'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const key = request.params['*'];
      verifySignedDownload(app.deps.config.secret, { key, ...request.query }, app.deps.clock());
      const body = await app.deps.store.get(key);
      const info = await app.deps.store.head(key);
      if (!info) {
        body.destroy();
        throw ERRORS.notFound('file', key);
      }
      reply.header('content-length', String(info.size)).header('cache-control', 'private, no-store');
      reply.header('content-disposition', contentDisposition(request.query.name ?? key.split('/').pop() ?? 'download'));
      return sendRaw(reply, info.contentType ?? 'application/octet-stream', body);
    },
  );
};

export default fileRoutes;
