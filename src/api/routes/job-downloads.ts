/**
 * What a job produced: the free preview (every change, page by page) and the paid export (a
 * redirect to a signed link).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PreviewPageSchema, PreviewQuerySchema } from '../../contracts/preview.js';
import { exportLink, openPreview } from '../../services/comparisons.js';
import { callerOf } from '../plugins/auth.js';
import { sendRaw } from '../reply.js';
import { ExportQuerySchema, JobIdParamsSchema, problemResponses, type RouteOptions } from '../schemas.js';

const jobDownloadRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  const tags = ['compare jobs'];
  app.addHook('onRequest', app.authenticate);

  app.get(
    '/compare/jobs/:id/preview',
    {
      schema: {
        hide: opts.alias,
        tags,
        summary: 'a page of the changes as JSON (free, once compared): every change is on one page; 404 past the last page',
        params: JobIdParamsSchema,
        querystring: PreviewQuerySchema,
        response: { 200: PreviewPageSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const body = await openPreview(app.deps, callerOf(request), request.params.id, request.query.page);
      return sendRaw(reply, 'application/json', body);
    },
  );

  app.get(
    '/compare/jobs/:id/export',
    {
      schema: {
        hide: opts.alias,
        tags,
        summary: 'download the diff: 402 until paid, 409 while exporting, 410 cancelled/expired, else 302 to a signed link',
        params: JobIdParamsSchema,
        querystring: ExportQuerySchema,
        response: { 302: z.null().describe('redirect to a signed download link'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const url = await exportLink(app.deps, callerOf(request), request.params.id, request.query.format);
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    },
  );
};

export default jobDownloadRoutes;
