/**
 * WeChat Pay notifications (registered with PAYMENT_PROVIDER=wechat). The body is kept as the raw
 * string WeChat signed: this plugin parses JSON bodies as text, the service verifies them.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadWechatKeys } from '../../payments/wechat-keys.js';
import { handleWechatNotification } from '../../services/wechat-notifications.js';
import type { RouteOptions } from '../schemas.js';

const AnswerSchema = z.object({ code: z.string(), message: z.string() }).describe('WeChat Pay failure answer');

const wechatpayRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  const wx = loadWechatKeys(app.deps.config.payment.wechat);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

  app.post(
    '/wechatpay/notify',
    {
      schema: {
        hide: opts.alias,
        tags: ['payments'],
        summary: 'WeChat Pay notification (signature verified, resource decrypted, replay-safe)',
        body: z.string().describe('the notification JSON exactly as WeChat signed it'),
        response: { 204: z.null().describe('taken'), '4xx': AnswerSchema, '5xx': AnswerSchema },
      },
    },
    async (request, reply) => {
      const res = await handleWechatNotification(app.deps, wx, { headers: request.headers, body: request.body });
      return res.body ? reply.code(res.status).send(res.body) : reply.code(res.status).send(null);
    },
  );
};

export default wechatpayRoutes;
