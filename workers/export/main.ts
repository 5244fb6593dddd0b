import { runWorker } from '../shared/run-worker.js';
import { exportWorker } from './handler.js';

await runWorker(exportWorker, process.env);
