// Entry of the worker image: `worker.mjs <kind>` runs dist/workers/<kind>/main.js in this process
// (no extra process between tini and the worker, so SIGTERM reaches the worker's graceful stop).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const workersDir = new URL('../../dist/workers/', import.meta.url);
const entryOf = (kind) => new URL(`${kind}/main.js`, workersDir);
const kind = process.argv[2] ?? '';
if (!/^[a-z]+$/.test(kind) || !existsSync(fileURLToPath(entryOf(kind)))) {
  const kinds = existsSync(fileURLToPath(workersDir))
    ? readdirSync(workersDir).filter((k) => existsSync(fileURLToPath(entryOf(k))))
    : [];
  process.stderr.write(`worker: unknown worker kind "${kind}"; one of: ${kinds.join(', ') || '(no built workers)'}\n`);
  process.exit(64);
}
await import(entryOf(kind).href);
