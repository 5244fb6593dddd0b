import { runWorker } from '../shared/run-worker.js';

await runWorker('compare', async () => (await import('./handler.js')).compareWorker, process.env);
