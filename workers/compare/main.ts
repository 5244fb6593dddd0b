import { runWorker } from '../shared/run-worker.js';
import { compareWorker } from './handler.js';

await runWorker(compareWorker, process.env);
