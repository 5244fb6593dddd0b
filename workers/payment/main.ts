import { runWorker } from '../shared/run-worker.js';

await runWorker('payment', async () => (await import('./handler.js')).paymentWorker, process.env);
