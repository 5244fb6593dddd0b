/**
 * The small HTTP server every worker runs on METRICS_PORT: /healthz (the process serves) and
 * /readyz (Redis answers). Kubernetes probes and the supervisor use it.
 */
import type { Server } from 'node:http';
import { http } from '../../src/lib/node-http.js';

export interface HealthChecks {
  ready: () => Promise<boolean>;
  /** Extra routes (e.g. /metrics) answering with a content type and body. */
  routes?: Record<string, () => Promise<{ contentType: string; body: string }>>;
}

export async function startHealthServer(port: number, checks: HealthChecks): Promise<Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/healthz') return send(200, '{"status":"ok"}');
    if (path === '/readyz') {
      const timeout = new Promise<boolean>((ok) => setTimeout(() => ok(false), 1_000).unref());
      Promise.race([checks.ready(), timeout]).then(
        (ok) => send(ok ? 200 : 503, JSON.stringify({ status: ok ? 'ready' : 'not ready' })),
        () => send(503, '{"status":"not ready"}'),
      );
      return;
    }
    const route = checks.routes?.[path];
    if (route) {
      route().then((r) => send(200, r.body, r.contentType), (err: Error) => send(500, JSON.stringify({ error: err.message })));
      return;
    }
    send(404, '{"error":"not found"}');
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '0.0.0.0', () => ok());
  });
  return server;
}
