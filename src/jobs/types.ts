/**
 * The job store and stream runtime contract shared by the API, the workers and the runtime.
 *
 * A job is one Redis hash (the source of truth) plus an ordered event stream; every state change
 * is a compare-and-set Lua script that also appends the event (docs/job-runtime.md).
 */
import type { CompareOptions, DiffSummary, JobEvent, JobStatus } from '../contracts/index.js';
import type { StreamKind } from '../redis/keys.js';

/** A job as stored, decoded from its hash. */
export interface JobRecord {
  id: string;
  ownerId: string;
  status: JobStatus;
  progress: number;
  createdAt: number; // ms since epoch
  updatedAt: number;
  expiresAt: number; // when inputs and results are removed (retention)
  files: { old: StoredFile; new: StoredFile };
  key: string[];
  options: CompareOptions;
  fence: number;
  attempts: number; // deliveries of the current stage
  price?: number; // fen, once compared
  paid: boolean;
  payment?: { orderId: string; amount: number; codeUrl: string; expiresAt: number };
  summary?: DiffSummary;
  rows?: { old: number; new: number };
  artefacts?: Record<string, string>; // name → storage key
  error?: { code: string; message: string };
  /** W3C trace context of the request that created the job: later requests about it (the download) join its trace. */
  traceparent?: string;
}

export interface StoredFile {
  name: string; // original file name
  storageKey: string;
  size: number;
  sha256: string;
  format: 'xlsx' | 'xlsm' | 'xls' | 'csv';
}

export interface NewJob {
  id: string;
  ownerId: string;
  files: { old: StoredFile; new: StoredFile };
  key: string[];
  options: CompareOptions;
  retentionMs: number;
  traceparent?: string;
}

/** Fields a transition may set, as they are stored (JSON-encoded where structured). */
export type JobFieldPatch = Partial<{
  progress: number;
  price: number;
  paid: boolean;
  payment: JobRecord['payment'];
  summary: DiffSummary;
  rows: JobRecord['rows'];
  artefacts: Record<string, string>;
  error: JobRecord['error'];
}>;

export interface EventInput {
  type: string;
  data?: Record<string, unknown>;
}

/** A message to append to a work stream atomically with a transition. */
export interface NextStage {
  kind: StreamKind;
  type: string;
  payload?: Record<string, unknown>;
}

export interface Transition {
  from: readonly JobStatus[];
  to: JobStatus;
  patch?: JobFieldPatch;
  event: EventInput;
  next?: NextStage;
}

/** Job store used by the API and by services; every write is one atomic script. */
export interface JobStore {
  /** Writes the job, its `created` event and an outbox mark, then enqueues it on `compare`. */
  create(job: NewJob): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | null>;
  /** Events after `afterId` (exclusive), oldest first. */
  events(id: string, opts?: { afterId?: string; count?: number }): Promise<JobEvent[]>;
  /** Compare-and-set from one of `from` to `to`, with its event and optional next stage; false if not applied. */
  transition(id: string, t: Transition): Promise<boolean>;
  /**
   * Appends a message for `jobId` to a work stream (with the entries index), without a state
   * change: e.g. the API handing a verified payment notification to the payment worker.
   */
  publish(jobId: string, next: NextStage): Promise<void>;
  /**
   * Marks the job as followed live for `ttlMs`: claim and finish announce its events on the job's
   * channel only while it is (see docs/job-runtime.md, "Live events"). Followers renew the mark
   * well before it lapses.
   */
  watch(id: string, ttlMs: number): Promise<void>;
  /** Jobs of one account, newest first. */
  listByOwner(ownerId: string, opts?: { limit?: number }): Promise<JobRecord[]>;
}
