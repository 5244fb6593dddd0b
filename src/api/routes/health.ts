/**
 * Liveness (the process serves HTTP) and readiness (Redis and storage answer).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkReadiness } from '../../services/readiness.js';
import { problemResponses, type RouteOptions } from '../schemas.js';

const ReadySchema = z.object({ status: z.literal('ok'), checks: z.record(z.string(), z.string()) });

const healthRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  app.get(
    '/healthz',
    { schema: { hide: opts.alias, tags: ['health'], summary: 'liveness', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: { hide: opts.alias, tags: ['health'], summary: 'readiness: Redis and storage reachable', response: { 200: ReadySchema, ...problemResponses } },
    },
    async () => checkReadiness(app.deps),
  );
};

export default healthRoutes;
