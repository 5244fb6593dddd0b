/**
 * Request observability: one log line per request (request id, trace id, route template, status,
 * duration), the `sheetdiff_http_request_duration_seconds` histogram, and `GET /metrics`.
 *
 * With tracing on, the request span's context replaces the incoming `traceparent` header, so the
 * routes that hand it to a stream entry hand over the API's span and the worker's span becomes
 * its child in the same trace.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpMetrics, renderMetrics } from '../../observability/metrics.js';
import { traceIdOf } from '../../observability/trace-context.js';
import { shared } from '../shared-plugin.js';

/** Paths polled by probes and Prometheus: logged at debug only. */
const QUIET = /^\/(healthz|readyz|metrics)$/;

type OtelRequest = FastifyRequest & {
  opentelemetry?: () => { instrumented: boolean; inject(carrier: Record<string, string>): void };
};

export default shared(async function requestMetrics(app: FastifyInstance) {
  app.addHook('onRequest', async (request: OtelRequest, reply) => {
    const otel = request.opentelemetry?.();
    if (otel?.instrumented) {
      const carrier: Record<string, string> = {};
      otel.inject(carrier);
      if (carrier.traceparent) request.headers.traceparent = carrier.traceparent;
    }
    const traceparent = request.headers.traceparent;
    const traceId = traceIdOf(typeof traceparent === 'string' ? traceparent : undefined);
    if (traceId) request.log = request.log.child({ traceId });
    reply.header('x-request-id', request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    const status = reply.statusCode;
    httpMetrics.duration.observe({ method: request.method, route, status_code: String(status) }, seconds);
    const line = { method: request.method, route, statusCode: status, durationMs: Math.round(reply.elapsedTime * 10) / 10 };
    if (QUIET.test(route)) request.log.debug(line, 'request');
    else if (status >= 500) request.log.error(line, 'request');
    else request.log.info(line, 'request');
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const m = await renderMetrics();
    return reply.type(m.contentType).send(m.body);
  });
}, 'sheetdiff-request-metrics');
