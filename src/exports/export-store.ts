/**
 * The state of record exports in Redis: one hash per export (`keys.recordExport(id)`), changed
 * only by the small scripts below so every step is a compare-and-set.
 *
 * Fields: owner, status, format, filename, sheetName, columns (JSON), csvBom, createdAt,
 * updatedAt, expiresAt, records, batches, progress, fence, attempts, fileKey, fileSize, sha256,
 * error (JSON), and `b:<seq>` per batch: its record count once stored, `p:<ms>` while it is
 * being stored (a retried seq finds either and is not stored twice).
 */
import type { Redis } from 'ioredis';
import type { ExportColumn, ExportCreate, ExportStatus } from '../contracts/exports.js';
import type { Keys } from '../redis/keys.js';

/** An export as stored. */
export interface ExportRecord {
  id: string;
  owner: string;
  status: ExportStatus;
  format: 'xlsx' | 'csv';
  filename: string;
  sheetName: string;
  columns: ExportColumn[];
  csvBom: boolean;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  records: number;
  batches: number;
  progress: number;
  fence: number;
  attempts: number;
  /** When the current run claimed it (ms). */
  startedAt?: number;
  fileKey?: string;
  fileSize?: number;
  sha256?: string;
  error?: { code: string; message: string };
  /** Stored batch numbers, ascending. */
  seqs: number[];
  /** Batches being stored right now. */
  pendingSeqs: number[];
}

// A pending batch older than this is taken to be abandoned (its API process died mid-body).
const PENDING_STALE_MS = 15 * 60_000;

const CLAIM_BATCH = `
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return {'missing'} end
if st ~= 'OPEN' then return {'state', st} end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  if string.sub(cur, 1, 2) ~= 'p:' then return {'dup', cur} end
  if tonumber(ARGV[2]) - tonumber(string.sub(cur, 3)) < tonumber(ARGV[3]) then return {'busy'} end
end
redis.call('HSET', KEYS[1], ARGV[1], 'p:' .. ARGV[2])
return {'ok'}`;

const COMMIT_BATCH = `
local st = redis.call('HGET', KEYS[1], 'status')
if st ~= 'OPEN' then return {'state', st or 'missing'} end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur ~= ARGV[2] then return {'lost'} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], 'updatedAt', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'batches', 1)
return {'ok', redis.call('HINCRBY', KEYS[1], 'records', ARGV[3])}`;

// ARGV: from statuses (csv), to status, now, then field/value pairs
const TRANSITION = `
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return 0 end
local ok = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == st then ok = true end end
if not ok then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updatedAt', ARGV[3], unpack(ARGV, 4))
return 1`;

// complete: OPEN with no batch pending -> QUEUED and XADD; KEYS[2] stream, ARGV[1] now, ARGV[2] envelope
const COMPLETE = `
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return {'missing'} end
if st ~= 'OPEN' then return {'state', st} end
local h = redis.call('HGETALL', KEYS[1])
for i = 1, #h, 2 do
  if string.sub(h[i], 1, 2) == 'b:' and string.sub(h[i + 1], 1, 2) == 'p:' then return {'pending', h[i]} end
end
redis.call('HSET', KEYS[1], 'status', 'QUEUED', 'updatedAt', ARGV[1])
redis.call('XADD', KEYS[2], '*', 'data', ARGV[2])
return {'ok'}`;

// worker claim: QUEUED/PROCESSING/UPLOADING -> PROCESSING, fence+1, attempts+1
const CLAIM_RUN = `
local st = redis.call('HGET', KEYS[1], 'status')
if st ~= 'QUEUED' and st ~= 'PROCESSING' and st ~= 'UPLOADING' then return {'stale', st or 'missing'} end
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'status', 'PROCESSING', 'updatedAt', ARGV[1], 'startedAt', ARGV[1], 'progress', 0)
return {'ok', fence, attempts}`;

// fenced write by the worker: ARGV[1] fence, ARGV[2] new status ('' = keep), ARGV[3] now, pairs
const FENCED = `
if redis.call('HGET', KEYS[1], 'fence') ~= ARGV[1] then return 0 end
local st = redis.call('HGET', KEYS[1], 'status')
if st ~= 'PROCESSING' and st ~= 'UPLOADING' then return 0 end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'status', ARGV[2]) end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[3], unpack(ARGV, 4))
return 1`;

function decode(id: string, h: Record<string, string>): ExportRecord | null {
  if (!h.status) return null;
  const seqs: number[] = [];
  const pendingSeqs: number[] = [];
  for (const [k, v] of Object.entries(h)) {
    if (!k.startsWith('b:')) continue;
    (v.startsWith('p:') ? pendingSeqs : seqs).push(Number(k.slice(2)));
  }
  seqs.sort((a, b) => a - b);
  const num = (k: string): number => Number(h[k] ?? 0);
  return {
    id,
    owner: h.owner ?? '',
    status: h.status as ExportStatus,
    format: h.format as 'xlsx' | 'csv',
    filename: h.filename ?? '',
    sheetName: h.sheetName ?? 'Sheet1',
    columns: JSON.parse(h.columns ?? '[]') as ExportColumn[],
    csvBom: h.csvBom !== '0',
    createdAt: num('createdAt'),
    updatedAt: num('updatedAt'),
    expiresAt: num('expiresAt'),
    records: num('records'),
    batches: num('batches'),
    progress: num('progress'),
    fence: num('fence'),
    attempts: num('attempts'),
    ...(h.startedAt ? { startedAt: num('startedAt') } : {}),
    ...(h.fileKey ? { fileKey: h.fileKey } : {}),
    ...(h.fileSize ? { fileSize: num('fileSize') } : {}),
    ...(h.sha256 ? { sha256: h.sha256 } : {}),
    ...(h.error ? { error: JSON.parse(h.error) as { code: string; message: string } } : {}),
    seqs,
    pendingSeqs,
  };
}

export type BatchClaim = { kind: 'ok'; marker: string } | { kind: 'dup'; records: number } | { kind: 'busy' } | { kind: 'state'; status: string } | { kind: 'missing' };

/** Typed access to export hashes; one instance per process. */
export function createExportStore(redis: Redis, keys: Keys) {
  const key = (id: string) => keys.recordExport(id);
  const stream = keys.stream('records');
  const pairs = (fields: Record<string, string | number>): string[] => Object.entries(fields).flatMap(([k, v]) => [k, String(v)]);
  return {
    stream,
    group: keys.group('records'),

    async create(id: string, owner: string, spec: ExportCreate, filename: string, now: number, retentionMs: number): Promise<void> {
      const expiresAt = now + retentionMs;
      await redis
        .multi()
        .hset(key(id), {
          owner, status: 'OPEN', format: spec.format, filename, sheetName: spec.sheetName ?? 'Sheet1',
          columns: JSON.stringify(spec.columns), csvBom: spec.csvBom ? '1' : '0',
          createdAt: now, updatedAt: now, expiresAt, records: 0, batches: 0, progress: 0, fence: 0, attempts: 0,
        })
        .pexpireat(key(id), expiresAt + 86_400_000)
        .zadd(keys.recordExportExpiry(), expiresAt, id)
        .exec();
    },

    async get(id: string): Promise<ExportRecord | null> {
      return decode(id, await redis.hgetall(key(id)));
    },

    async claimBatch(id: string, seq: number, now: number): Promise<BatchClaim> {
      const r = (await redis.eval(CLAIM_BATCH, 1, key(id), `b:${seq}`, now, PENDING_STALE_MS)) as string[];
      if (r[0] === 'ok') return { kind: 'ok', marker: `p:${now}` };
      if (r[0] === 'dup') return { kind: 'dup', records: Number(r[1]) };
      if (r[0] === 'state') return { kind: 'state', status: r[1]! };
      return { kind: r[0] as 'busy' | 'missing' };
    },

    /** Records the stored batch; resolves with the export's record count, or null when it moved on. */
    async commitBatch(id: string, seq: number, marker: string, count: number, now: number): Promise<number | null> {
      const r = (await redis.eval(COMMIT_BATCH, 1, key(id), `b:${seq}`, marker, count, now)) as (string | number)[];
      return r[0] === 'ok' ? Number(r[1]) : null;
    },

    async releaseBatch(id: string, seq: number, marker: string): Promise<void> {
      await redis.eval(`if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`, 1, key(id), `b:${seq}`, marker);
    },

    async transition(id: string, from: readonly ExportStatus[], to: ExportStatus, now: number, fields: Record<string, string | number> = {}): Promise<boolean> {
      return (await redis.eval(TRANSITION, 1, key(id), from.join(','), to, now, ...pairs(fields))) === 1;
    },

    async complete(id: string, now: number, envelope: string): Promise<{ kind: 'ok' | 'missing' | 'state' | 'pending'; detail?: string }> {
      const r = (await redis.eval(COMPLETE, 2, key(id), stream, now, envelope)) as string[];
      return r[1] === undefined ? { kind: r[0] as 'ok' | 'missing' } : { kind: r[0] as 'state' | 'pending', detail: r[1] };
    },

    async claimRun(id: string, now: number): Promise<{ fence: number; attempts: number } | null> {
      const r = (await redis.eval(CLAIM_RUN, 1, key(id), now)) as (string | number)[];
      return r[0] === 'ok' ? { fence: Number(r[1]), attempts: Number(r[2]) } : null;
    },

    /** Worker write under its fence; false once the export was cancelled or taken over. */
    async fenced(id: string, fence: number, status: ExportStatus | '', now: number, fields: Record<string, string | number> = {}): Promise<boolean> {
      return (await redis.eval(FENCED, 1, key(id), fence, status, now, ...pairs(fields))) === 1;
    },

    async dueForRemoval(now: number, limit: number): Promise<string[]> {
      return redis.zrangebyscore(keys.recordExportExpiry(), '-inf', now, 'LIMIT', 0, limit);
    },

    async forget(id: string): Promise<void> {
      await redis.multi().del(key(id)).zrem(keys.recordExportExpiry(), id).exec();
    },
  };
}

export type ExportStore = ReturnType<typeof createExportStore>;
