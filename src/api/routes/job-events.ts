/**
 * A job's event history: JSON by default, Server-Sent Events with `Accept: text/event-stream`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { JobEventListSchema } from '../../contracts/index.js';
import { listJobEvents } from '../../services/comparisons.js';
import { callerOf } from '../plugins/auth.js';
import { EventsQuerySchema, JobIdParamsSchema, problemResponses, type RouteOptions } from '../schemas.js';
import { streamJobEvents, wantsEventStream } from '../sse.js';

const jobEventRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  app.addHook('onRequest', app.authenticate);
  app.get(
    '/compare/jobs/:id/events',
    {
      schema: {
        hide: opts.alias,
        tags: ['compare jobs'],
        summary: 'event history; live Server-Sent Events with Accept: text/event-stream (resumes from Last-Event-ID)',
        params: JobIdParamsSchema,
        querystring: EventsQuerySchema,
        produces: ['application/json', 'text/event-stream'],
        response: { 200: JobEventListSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const after = (Array.isArray(header) ? header[0] : header) || request.query.lastEventId;
      if (wantsEventStream(request)) return streamJobEvents(app, request, reply, request.params.id, after);
      return { events: await listJobEvents(app.deps, callerOf(request), request.params.id, after) };
    },
  );
};

export default jobEventRoutes;
