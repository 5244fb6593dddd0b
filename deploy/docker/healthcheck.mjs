// Container HEALTHCHECK for the API and worker images (no curl in the slim runtime).
// Usage: node healthcheck.mjs <PORT_VARIABLE> <default port> [path]
// Exits 0 when GET http://127.0.0.1:<port><path> answers 2xx within 2 s, 1 otherwise.
const [portVariable = 'PORT', defaultPort = '8080', path = '/healthz'] = process.argv.slice(2);
const port = process.env[portVariable] || defaultPort;
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
