/**
 * Boots one worker process: config → logger → traces (when configured) → the rest of the process
 * (./worker-process.ts), imported only after tracing started so ioredis and http are instrumented.
 * Each workers/<kind>/main.ts is a one-line call to this with its kind and definition loader.
 */
import { ConfigError, loadConfig, type Config } from '../../src/config/env.js';
import type { Envelope } from '../../src/contracts/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { startTracing } from '../../src/observability/tracing.js';
import type { StreamKind } from '../../src/redis/keys.js';
import type { WorkerDefinition } from './types.js';

export type { WorkerDefinition, WorkerDeps } from './types.js';

/**
 * Runs the worker of `kind`; `load` imports its definition (after tracing started).
 *
 * A definition object is accepted too (then its imports load before tracing and only the job
 * spans, not ioredis and http calls, are traced).
 */
export async function runWorker<M extends Envelope>(
  kind: StreamKind,
  load: (() => Promise<WorkerDefinition<M>>) | WorkerDefinition<M>,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${kind}-worker: ${err.message}\n`);
    process.exit(1);
  }
  const component = `${kind}-worker`;
  const log = createLogger({ level: config.log.level, component });
  const tracing = await startTracing({ endpoint: config.otel.endpoint, serviceName: `sheetdiff-${component}` });
  const def = typeof load === 'function' ? await load() : load;
  const { startWorkerProcess } = await import('./worker-process.js');
  await startWorkerProcess(def, { config, log, component, tracing });
}
