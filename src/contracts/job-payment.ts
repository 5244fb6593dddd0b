import { z } from 'zod';
import { JobViewSchema } from './jobs.js';

/**
 * `POST /compare/jobs/{id}/payment` (also under /api/v1): get a payment order for a job again,
 * e.g. a new QR code after the first one expired. No body; `Idempotency-Key` is honoured.
 *
 * Answers 202 with the job status JSON (the same shape as `GET /compare/jobs/{id}`):
 * - job `compared` with a price > 0 (its order expired or was closed): a new order `…r<n>` is
 *   queued on the payment stream, the path the first order took; poll the job (or its events)
 *   until it is `awaiting_payment` with the new `payment.codeUrl`;
 * - job `awaiting_payment` whose order is still open: nothing changes, the current `payment` is
 *   returned; whose order has expired: it is closed first, then a new one is queued as above;
 * - 409 `conflict` when the job is already paid (`paid`, `exporting`, `ready`), 409
 *   `invalid_state` when there is nothing to pay yet or any more (`queued`, `comparing`, free,
 *   `failed`); 410 `gone` when cancelled or expired; 404 for an unknown job or another owner's.
 */
export const JOB_PAYMENT_ROUTE = { method: 'POST', path: '/compare/jobs/:id/payment' } as const;

/** The canonical URL of the route for one job (what the web app calls). */
export const jobPaymentPath = (jobId: string) => `/api/v1/compare/jobs/${encodeURIComponent(jobId)}/payment`;

/** The 202 answer: the job as `GET /compare/jobs/{id}` shows it. */
export const JobPaymentResponseSchema = JobViewSchema.describe('the job status after the request (a new order is queued or the open one returned)');
export type JobPaymentResponse = z.infer<typeof JobPaymentResponseSchema>;
