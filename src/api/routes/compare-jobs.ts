/**
 * Compare jobs: create (multipart upload), read, cancel.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { JobCreatedSchema, JobViewSchema } from '../../contracts/index.js';
import { cancelComparison, getJobView, startComparison } from '../../services/comparisons.js';
import { parseIdempotencyKey } from '../../services/idempotency.js';
import { compareUploadLimits } from '../../services/uploads.js';
import { callerOf } from '../plugins/auth.js';
import { sendResult } from '../reply.js';
import {
  CompareUploadDocSchema,
  IdempotencyHeadersSchema,
  JobIdParamsSchema,
  problemResponses,
  streamedBodyValidator,
  type RouteOptions,
} from '../schemas.js';

const compareJobRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  const tags = ['compare jobs'];
  app.addHook('onRequest', app.authenticate);

  app.post(
    '/compare/jobs',
    {
      schema: {
        hide: opts.alias,
        tags,
        summary: 'upload two spreadsheets and start a comparison',
        consumes: ['multipart/form-data'],
        headers: IdempotencyHeadersSchema,
        body: CompareUploadDocSchema,
        response: { 202: JobCreatedSchema, ...problemResponses },
      },
      validatorCompiler: streamedBodyValidator,
    },
    async (request, reply) => {
      const result = await startComparison(app.deps, {
        caller: callerOf(request),
        parts: request.parts({ limits: compareUploadLimits(app.deps.config.http.maxUploadBytes) }),
        idempotencyKey: parseIdempotencyKey(request.headers['idempotency-key']),
        traceparent: request.headers.traceparent as string | undefined,
      });
      return sendResult(reply, result);
    },
  );

  app.get(
    '/compare/jobs/:id',
    { schema: { hide: opts.alias, tags, summary: 'job status, progress, summary and payment', params: JobIdParamsSchema, response: { 200: JobViewSchema, ...problemResponses } } },
    async (request) => getJobView(app.deps, callerOf(request), request.params.id),
  );

  app.post(
    '/compare/jobs/:id/cancel',
    {
      schema: { hide: opts.alias, tags, summary: 'cancel a job (idempotent)', params: JobIdParamsSchema, headers: IdempotencyHeadersSchema, response: { 200: JobViewSchema, ...problemResponses } },
    },
    async (request, reply) => {
      const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
      const result = await cancelComparison(app.deps, { caller: callerOf(request), id: request.params.id, idempotencyKey });
      return sendResult(reply, result);
    },
  );
};

export default compareJobRoutes;
