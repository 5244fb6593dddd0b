import { runWorker } from '../shared/run-worker.js';

await runWorker('export', async () => (await import('./handler.js')).exportWorker, process.env);
