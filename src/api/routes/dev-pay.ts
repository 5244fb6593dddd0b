/**
 * Dev payment provider endpoints (registered only with PAYMENT_PROVIDER=dev): the page behind
 * the order's code URL, and the Pay button, which hands a PaymentNotified message to the payment
 * worker exactly as a verified WeChat notification would.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseIdempotencyKey } from '../../services/idempotency.js';
import { getDevOrder, payDevOrder } from '../../services/payments.js';
import { renderDevPayPage, renderDevPaySent } from '../dev-pay-page.js';
import { callerOf } from '../plugins/auth.js';
import { sendRaw, sendResult } from '../reply.js';
import { IdempotencyHeadersSchema, problemResponses, type RouteOptions } from '../schemas.js';

const ParamsSchema = z.object({ orderId: z.string().min(1).max(64) });
const PaySentSchema = z.object({
  orderId: z.string(),
  jobId: z.string(),
  amount: z.number().int(),
  transactionId: z.string(),
  status: z.literal('payment_sent'),
});

const devPayRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  const tags = ['dev payments'];
  app.addHook('onRequest', app.authenticate);
  // The page's plain HTML form posts urlencoded; its fields are not used.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, {}));

  app.get(
    '/dev/pay/:orderId',
    { schema: { hide: opts.alias, tags, summary: 'dev payment page (HTML)', params: ParamsSchema, produces: ['text/html'], response: problemResponses } },
    async (request, reply) => {
      const order = await getDevOrder(app.deps, request.params.orderId);
      const action = request.url.split('?')[0] ?? '';
      return sendRaw(reply, 'text/html; charset=utf-8', renderDevPayPage({ ...order, action }));
    },
  );

  app.post(
    '/dev/pay/:orderId',
    {
      schema: { hide: opts.alias, tags, summary: 'pay a dev order (202)', params: ParamsSchema, headers: IdempotencyHeadersSchema, response: { 202: PaySentSchema, ...problemResponses } },
    },
    async (request, reply) => {
      const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
      const result = await payDevOrder(app.deps, { caller: callerOf(request), orderId: request.params.orderId, idempotencyKey });
      if (!(request.headers.accept ?? '').includes('text/html')) return sendResult(reply, result);
      const body = result.body as { orderId: string; amount: number };
      return sendRaw(reply.code(202), 'text/html; charset=utf-8', renderDevPaySent(body));
    },
  );
};

export default devPayRoutes;
