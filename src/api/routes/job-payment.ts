/**
 * Paying for a job again: a new payment order (QR code) once the first one expired, or the open
 * one. Contract: src/contracts/job-payment.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { JOB_PAYMENT_ROUTE, JobPaymentResponseSchema } from '../../contracts/index.js';
import { parseIdempotencyKey } from '../../services/idempotency.js';
import { reopenPayment } from '../../services/payment-reopen.js';
import { callerOf } from '../plugins/auth.js';
import { sendResult } from '../reply.js';
import { IdempotencyHeadersSchema, JobIdParamsSchema, problemResponses, type RouteOptions } from '../schemas.js';

const jobPaymentRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  app.addHook('onRequest', app.authenticate);

  app.post(
    JOB_PAYMENT_ROUTE.path,
    {
      schema: {
        hide: opts.alias,
        tags: ['compare jobs', 'billing'],
        summary: 'get a payment order again (a new QR code after expiry): 202 with the job status; 409 paid, 410 cancelled/expired',
        params: JobIdParamsSchema,
        headers: IdempotencyHeadersSchema,
        response: { 202: JobPaymentResponseSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
      return sendResult(reply, await reopenPayment(app.deps, { caller: callerOf(request), id: request.params.id, idempotencyKey }));
    },
  );
};

export default jobPaymentRoutes;
