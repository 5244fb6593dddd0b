/**
 * A small typed client for record exports, for services written in TypeScript/Node 20+:
 *
 * ```ts
 * const c = new ExportClient({ baseUrl: 'https://diff.example.com', apiKey: process.env.SHEETDIFF_KEY! });
 * const e = await c.create({ format: 'xlsx', filename: 'orders', columns: [{ name: 'id', type: 'integer' }, { name: 'total', type: 'currency' }] });
 * await c.addRecords(e.exportId, 0, [[1, 9.5], [2, 12]]);   // seq 0; a retry of seq 0 is stored once
 * await c.complete(e.exportId);
 * const done = await c.waitUntilDone(e.exportId);            // COMPLETED: done.url, done.sha256
 * ```
 *
 * Types come from the same zod schemas the API validates with.
 */
import type { BatchAccepted, ExportCreate, ExportView } from '../contracts/exports.js';

/** What fetch accepts as a request body. */
type BodyInit = NonNullable<RequestInit['body']>;

export interface ExportClientOptions {
  /** Where the API is, e.g. `https://diff.example.com` (the client adds `/api/v1`). */
  baseUrl: string;
  /** An API key from `sheetdiff apikey create NAME`. */
  apiKey: string;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

/** An error answer of the API (application/problem+json). */
export class ExportApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExportApiError';
  }
}

type Input = Omit<ExportCreate, 'csvBom'> & { csvBom?: boolean };
type Row = readonly unknown[] | Record<string, unknown>;

export class ExportClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: ExportClientOptions) {
    this.base = `${opts.baseUrl.replace(/\/+$/, '')}/api/v1`;
    this.fetch = opts.fetch ?? globalThis.fetch;
  }

  private async call<T>(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<T> {
    const init: RequestInit & { duplex?: 'half' } = { method, headers: { authorization: `Bearer ${this.opts.apiKey}`, ...headers } };
    if (body !== undefined) {
      init.body = body;
      init.duplex = 'half';
    }
    const res = await this.fetch(`${this.base}${path}`, init);
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new ExportApiError(res.status, String(json.code ?? 'error'), String(json.detail ?? json.title ?? res.statusText));
    return json as T;
  }

  /** POST /exports; `idempotencyKey` makes a retry return the same export. */
  create(spec: Input, idempotencyKey?: string): Promise<ExportView> {
    return this.call('POST', '/exports', JSON.stringify(spec), { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) });
  }

  /** Sends one batch (arrays in column order or objects by column name), or any NDJSON/CSV body. */
  addRecords(exportId: string, seq: number, records: Iterable<Row> | { body: BodyInit; contentType: 'application/x-ndjson' | 'text/csv' }): Promise<BatchAccepted> {
    const path = `/exports/${encodeURIComponent(exportId)}/records?seq=${seq}`;
    if ('body' in records && 'contentType' in records) return this.call('POST', path, records.body, { 'content-type': records.contentType });
    let text = '';
    for (const r of records as Iterable<Row>) text += JSON.stringify(r) + '\n';
    return this.call('POST', path, text, { 'content-type': 'application/x-ndjson' });
  }

  complete(exportId: string): Promise<ExportView> {
    return this.call('POST', `/exports/${encodeURIComponent(exportId)}/complete`);
  }

  get(exportId: string): Promise<ExportView> {
    return this.call('GET', `/exports/${encodeURIComponent(exportId)}`);
  }

  cancel(exportId: string): Promise<ExportView> {
    return this.call('DELETE', `/exports/${encodeURIComponent(exportId)}`);
  }

  /** Polls until COMPLETED, FAILED or CANCELLED. @defaultValue every 1000 ms, for up to 30 min */
  async waitUntilDone(exportId: string, opts: { intervalMs?: number; timeoutMs?: number } = {}): Promise<ExportView> {
    const until = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
    for (;;) {
      const v = await this.get(exportId);
      if (v.status === 'COMPLETED' || v.status === 'FAILED' || v.status === 'CANCELLED') return v;
      if (Date.now() > until) throw new ExportApiError(0, 'timeout', `export ${exportId} is still ${v.status}`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
    }
  }
}
