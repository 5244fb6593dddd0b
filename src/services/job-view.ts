/**
 * The public shape of a job (JobViewSchema) from its stored record: ISO times, payment details
 * only while they are actionable, and links to everything a client can do next.
 */
import type { JobCreated, JobView } from '../contracts/index.js';
import type { JobRecord } from '../jobs/types.js';

const API = '/api/v1';

/** Relative links of a job (canonical `/api/v1` paths). */
export function jobLinks(id: string) {
  const self = `${API}/compare/jobs/${id}`;
  return {
    self,
    events: `${self}/events`,
    preview: `${self}/preview`,
    exportXlsx: `${self}/export?format=xlsx`,
    exportCsv: `${self}/export?format=csv`,
    cancel: `${self}/cancel`,
    payment: `${self}/payment`,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The 202 body of a newly created job. */
export function toJobCreated(job: JobRecord): JobCreated {
  return { jobId: job.id, status: job.status, links: jobLinks(job.id) };
}

/** The GET /compare/jobs/{id} body. */
export function toJobView(job: JobRecord): JobView {
  const view: JobView = {
    id: job.id,
    status: job.status,
    paid: job.paid,
    progress: Math.max(0, Math.min(100, job.progress)),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    expiresAt: iso(job.expiresAt),
    files: { old: job.files.old.name, new: job.files.new.name },
    key: job.key,
    options: job.options,
    links: jobLinks(job.id),
  };
  if (job.price !== undefined) view.price = job.price;
  if (job.payment && job.status === 'awaiting_payment') {
    view.payment = {
      orderId: job.payment.orderId,
      amount: job.payment.amount,
      currency: 'CNY',
      codeUrl: job.payment.codeUrl,
      expiresAt: iso(job.payment.expiresAt),
    };
  }
  if (job.summary) view.summary = job.summary;
  if (job.error && job.status === 'failed') view.error = job.error;
  return view;
}
