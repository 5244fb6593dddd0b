/**
 * Calls to the sheetdiff API. Every answer is checked against the API's own zod contract, and
 * every error becomes an `ApiError` carrying the problem+json `code`.
 */
import { z } from 'zod';
import {
  JobCreatedSchema,
  JobEventListSchema,
  JobViewSchema,
  ProblemSchema,
  type JobCreated,
  type JobEvent,
  type JobView,
  type Problem,
} from '../../../src/contracts/index.js';
import { BalancePaymentSchema, ProfileSchema, type BalancePayment, type Profile } from '../../../src/contracts/billing.js';
import { KeyReportSchema, type KeyReport } from '../../../src/contracts/inspect.js';
import { DiffPreviewSchema, PreviewPageSchema, type PreviewPage } from '../../../src/contracts/preview.js';

/** Canonical API prefix (the unprefixed aliases are not used by the app). */
export const API = '/api/v1';

/** An API answer that is not a success: HTTP status plus the problem's stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly problem?: Problem,
  ) {
    super(detail);
  }
}

/** Builds an ApiError from a response body (problem+json when the API produced it). */
export function toApiError(status: number, body: unknown): ApiError {
  const p = ProblemSchema.safeParse(body);
  if (p.success) return new ApiError(status, p.data.code, p.data.detail ?? p.data.title, p.data);
  return new ApiError(status, status === 0 ? 'network' : 'http_error', `HTTP ${status}`);
}

async function request<S extends z.ZodType>(schema: S, path: string, init?: RequestInit): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'network error');
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw toApiError(res.status, body);
  return schema.parse(body);
}

export const getJob = (id: string): Promise<JobView> => request(JobViewSchema, `${API}/compare/jobs/${encodeURIComponent(id)}`);

/**
 * One page of a job's changes. A preview stored before pages existed (the first changes only)
 * is read as a single page holding what it has.
 */
export async function getPreviewPage(id: string, page: number, signal?: AbortSignal): Promise<PreviewPage> {
  const body = await request(z.unknown(), `${API}/compare/jobs/${encodeURIComponent(id)}/preview?page=${page}`, signal ? { signal } : {});
  const paged = PreviewPageSchema.safeParse(body);
  if (paged.success) return paged.data;
  const old = DiffPreviewSchema.parse(body);
  return { ...old, page: 0, pageSize: Math.max(1, old.changes.length), pageCount: 1, offset: 0 };
}

/** What the key assistant is asked about: one or two files, and optionally sheet, header row, key. */
export interface InspectRequest {
  files: Blob[];
  names: string[];
  sheet?: string | undefined;
  headerRow?: number | undefined;
  key?: string[] | undefined;
}

/** POST /compare/inspect: per-column uniqueness and completeness, suggested keys, duplicates. */
export function inspectFiles(req: InspectRequest, signal?: AbortSignal): Promise<KeyReport> {
  const form = new FormData();
  // Fields first, then the files, as the API reads the parts in order.
  if (req.key?.length) form.set('key', req.key.join(','));
  if (req.sheet) form.set('sheet', req.sheet);
  if (req.headerRow && req.headerRow >= 1) form.set('headerRow', String(req.headerRow));
  req.files.forEach((f, i) => form.set(`file${i + 1}`, f, req.names[i] ?? `file${i + 1}`));
  return request(KeyReportSchema, `${API}/compare/inspect`, { method: 'POST', body: form, ...(signal && { signal }) });
}

/**
 * POST /compare/jobs/{id}/payment: asks for a new payment order after the last one expired (the
 * job is back in `compared`); 202 with the job, which turns `awaiting_payment` with a new QR code.
 */
export const requestPayment = (id: string): Promise<JobView> =>
  request(JobViewSchema, `${API}/compare/jobs/${encodeURIComponent(id)}/payment`, { method: 'POST' });

export async function getEvents(id: string): Promise<JobEvent[]> {
  return (await request(JobEventListSchema, `${API}/compare/jobs/${encodeURIComponent(id)}/events`)).events;
}

export const cancelJob = (id: string): Promise<JobView> =>
  request(JobViewSchema, `${API}/compare/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });

/** Where the browser downloads a paid result (the API answers with a redirect to a signed link). */
export const exportUrl = (id: string, format: 'xlsx' | 'csv') => `${API}/compare/jobs/${encodeURIComponent(id)}/export?format=${format}`;

export const eventsUrl = (id: string) => `${API}/compare/jobs/${encodeURIComponent(id)}/events`;

/** Parses the 202 answer of an upload. */
export const parseJobCreated = (body: unknown): JobCreated => JobCreatedSchema.parse(body);

/**
 * GET /profile: the account, its balance, recent jobs and ledger. Resolves null when the serving
 * API said it has no account service (`sheetdiff-profile` = no), without asking.
 */
export async function getProfile(doc: Document = document): Promise<Profile | null> {
  if (doc.querySelector('meta[name="sheetdiff-profile"]')?.getAttribute('content') === 'no') return null;
  return request(ProfileSchema, `${API}/profile`);
}

/** Pays a job's price from the prepaid balance (exactly once per idempotency key). */
export const payJobFromBalance = (id: string, idempotencyKey: string): Promise<BalancePayment> =>
  request(BalancePaymentSchema, `${API}/compare/jobs/${encodeURIComponent(id)}/pay-from-balance`, { method: 'POST', headers: { 'idempotency-key': idempotencyKey } });
