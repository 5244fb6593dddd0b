import { runWorker } from '../shared/run-worker.js';
import { paymentWorker } from './handler.js';

await runWorker(paymentWorker, process.env);
