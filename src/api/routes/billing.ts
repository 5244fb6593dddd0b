/**
 * The caller's profile and prepaid balance: top-ups, exact-once deductions, and paying a compare
 * job from the balance.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  BalancePaymentSchema,
  DeductRequestSchema,
  DeductResultSchema,
  PaymentOrderSchema,
  ProfileSchema,
  TopUpRequestSchema,
} from '../../contracts/index.js';
import { deductBalance, getProfile, openTopUp, payFromBalance } from '../../services/billing.js';
import { parseIdempotencyKey } from '../../services/idempotency.js';
import { callerOf } from '../plugins/auth.js';
import { sendResult } from '../reply.js';
import { IdempotencyHeadersSchema, JobIdParamsSchema, problemResponses, type RouteOptions } from '../schemas.js';

const billingRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  const tags = ['billing'];
  app.addHook('onRequest', app.authenticate);

  app.get(
    '/profile',
    { schema: { hide: opts.alias, tags, summary: 'account, balance, recent jobs and ledger entries', response: { 200: ProfileSchema, ...problemResponses } } },
    async (request) => getProfile(app.deps, callerOf(request)),
  );

  app.post(
    '/billing/pending',
    {
      schema: {
        hide: opts.alias,
        tags,
        summary: 'open a balance top-up order (→ code_url); paid, it credits the balance once',
        headers: IdempotencyHeadersSchema,
        body: TopUpRequestSchema,
        response: { 201: PaymentOrderSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const key = parseIdempotencyKey(request.headers['idempotency-key']);
      return sendResult(reply, await openTopUp(app.deps, callerOf(request), request.body, key));
    },
  );

  app.post(
    '/billing/deduct',
    {
      schema: {
        hide: opts.alias,
        tags,
        summary: 'deduct from the balance exactly once per idempotencyKey (402 when short)',
        headers: IdempotencyHeadersSchema,
        body: DeductRequestSchema,
        response: { 200: DeductResultSchema, 201: DeductResultSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const key = parseIdempotencyKey(request.headers['idempotency-key']);
      return sendResult(reply, await deductBalance(app.deps, callerOf(request), request.body, key));
    },
  );

  app.post(
    '/compare/jobs/:id/pay-from-balance',
    {
      schema: {
        hide: opts.alias,
        tags: ['compare jobs', ...tags],
        summary: "pay a job's download from the balance (402 when short, 409 when paid otherwise)",
        params: JobIdParamsSchema,
        headers: IdempotencyHeadersSchema,
        response: { 200: BalancePaymentSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const key = parseIdempotencyKey(request.headers['idempotency-key']);
      return sendResult(reply, await payFromBalance(app.deps, callerOf(request), request.params.id, key));
    },
  );
};

export default billingRoutes;
