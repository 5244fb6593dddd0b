/**
 * Builds the HTTP API from its dependencies without listening (tests drive it with `inject`).
 *
 * Every route plugin is registered twice: under `/api/v1` (documented) and unprefixed (the
 * aliases of DESIGN §3, hidden from the OpenAPI document).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerErrorHandling } from './error-handler.js';
import auth from './plugins/auth.js';
import jsonBody from './plugins/json-body.js';
import liveEvents from './plugins/live-events.js';
import requestMetrics from './plugins/metrics.js';
import multipart from './plugins/multipart.js';
import openapi from './plugins/openapi.js';
import webApp from './plugins/web-app.js';
import billingRoutes from './routes/billing.js';
import compareJobRoutes from './routes/compare-jobs.js';
import compareInspectRoutes from './routes/compare-inspect.js';
import devPayRoutes from './routes/dev-pay.js';
import exportRoutes from './routes/exports.js';
import fileRoutes from './routes/files.js';
import healthRoutes from './routes/health.js';
import jobDownloadRoutes from './routes/job-downloads.js';
import jobEventRoutes from './routes/job-events.js';
import jobPaymentRoutes from './routes/job-payment.js';
import wechatpayRoutes from './routes/wechatpay.js';
import type { AppDeps } from './types.js';

export type { AppDeps } from './types.js';

export const API_PREFIX = '/api/v1';

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    trustProxy: true,
    // Uploads stream through multipart; other bodies are small JSON.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // One line per request, written by the metrics plugin (with route, status and duration).
    logController: new LogController({ disableRequestLogging: true }),
    // A caller's (or the ingress') request id is kept, so one id follows the request across hops.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const { connectSubscriber, ssePollMs, clock, ...rest } = deps;
  app.decorate('deps', { ...rest, clock: clock ?? Date.now, ssePollMs: ssePollMs ?? 15_000 });
  registerErrorHandling(app, deps.redis);

  await app.register(requestMetrics);
  await app.register(openapi);
  await app.register(jsonBody);
  await app.register(auth);
  await app.register(multipart);
  await app.register(liveEvents, connectSubscriber ? { connect: connectSubscriber } : {});

  for (const prefix of [API_PREFIX, '']) {
    const opts = { prefix, alias: prefix === '' };
    await app.register(healthRoutes, opts);
    await app.register(compareJobRoutes, opts);
    await app.register(compareInspectRoutes, opts);
    await app.register(jobEventRoutes, opts);
    await app.register(jobDownloadRoutes, opts);
    await app.register(exportRoutes, opts);
    if (deps.config.payment.provider === 'dev') await app.register(devPayRoutes, opts);
    if (deps.config.payment.provider === 'wechat') await app.register(wechatpayRoutes, opts);
    await app.register(billingRoutes, opts);
    await app.register(jobPaymentRoutes, opts);
  }
  if (deps.config.storage.driver === 'local') await app.register(fileRoutes);
  if (deps.config.http.serveWebApp) await app.register(webApp, { dir: deps.config.http.webAppDir });
  return app;
}
