/**
 * The one contract every ObjectStore driver meets, run against each of them: local directly, S3
 * against s3rver, OSS against the test OSS server (both check signatures). A driver file calls
 * `describeStoreContract` with a harness that starts its server and builds its stores.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ERRORS } from '../../../src/errors/index.js';
import { contentDisposition } from '../../../src/storage/content-disposition.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';

export interface StoreHarness {
  /** The driver under test, created through createObjectStore from its environment variables. */
  store: ObjectStore;
  /** Bytes per upload part in this harness (the round trip sends 2.5 parts). */
  partSize: number;
  /** The same driver with a wrong secret (the signing secret for local, the access key secret otherwise). */
  wrongSecret(): Promise<ObjectStore>;
  /** True when a wrong secret fails every operation (remote drivers); local only signs links with it. */
  secretGuardsOperations: boolean;
  /** Multipart uploads left open on the server, where it can tell. */
  pendingUploads?(): Promise<number>;
  close(): Promise<void>;
}

/** A stream of `size` random bytes in 64 KiB chunks, and the sha256 of what it sent. */
function randomBody(size: number) {
  const hash = createHash('sha256');
  async function* chunks() {
    for (let sent = 0; sent < size; ) {
      const chunk = randomBytes(Math.min(64 * 1024, size - sent));
      hash.update(chunk);
      sent += chunk.length;
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks()), digest: () => hash.digest('hex') };
}

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(parts);
}

const text = async (s: ObjectStore, key: string) => (await readAll(await s.get(key))).toString();

/** Moves every clock of this process (the drivers' and the in-process servers') forward. */
async function withClockAhead<T>(ms: number, run: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + ms, shouldAdvanceTime: true });
  try {
    return await run();
  } finally {
    vi.useRealTimers();
  }
}

export function describeStoreContract(name: string, setup: () => Promise<StoreHarness>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let h: StoreHarness;
    let s: ObjectStore;
    // Each test works under its own prefix of the shared bucket/directory.
    const prefix = () => `t/${randomUUID()}/`;

    beforeAll(async () => {
      h = await setup();
      s = h.store;
    }, 30_000);
    afterAll(async () => h?.close());

    it('answers ping', async () => {
      await expect(s.ping()).resolves.toBeUndefined();
    });

    it('round-trips a stream several parts long, byte for byte', async () => {
      const key = `${prefix()}export.csv`;
      const size = Math.floor(h.partSize * 2.5) + 123;
      const body = randomBody(size);
      expect(await s.put(key, body.stream)).toEqual({ size });
      expect(await s.head(key)).toMatchObject({ size, contentType: 'text/csv' });
      const back = await readAll(await s.get(key));
      expect(back.length).toBe(size);
      expect(createHash('sha256').update(back).digest('hex')).toBe(body.digest());
      expect((await h.pendingUploads?.()) ?? 0).toBe(0);
    }, 60_000);

    it('stores a Buffer, an empty body and replaces an object', async () => {
      const p = prefix();
      expect(await s.put(`${p}a.json`, Buffer.from('{"v":1}'))).toEqual({ size: 7 });
      expect(await s.put(`${p}a.json`, Buffer.from('{"v":22}'))).toEqual({ size: 8 });
      expect(await text(s, `${p}a.json`)).toBe('{"v":22}');
      expect(await s.put(`${p}empty.csv`, Readable.from([]))).toEqual({ size: 0 });
      expect(await s.head(`${p}empty.csv`)).toMatchObject({ size: 0 });
    });

    it('gives null for head and not_found for get of a missing object', async () => {
      const key = `${prefix()}missing.xlsx`;
      expect(await s.head(key)).toBeNull();
      await expect(s.get(key)).rejects.toMatchObject({ code: 'not_found', httpStatus: 404 });
    });

    it('deletes idempotently', async () => {
      const key = `${prefix()}x.csv`;
      await s.put(key, Buffer.from('x'));
      await s.delete(key);
      await s.delete(key);
      expect(await s.head(key)).toBeNull();
    });

    it('deletes by prefix only what is under that prefix', async () => {
      const p = prefix();
      for (const k of ['job/input-old.csv', 'job/input-new.csv', 'job/diff.csv', 'job/sub/preview.json', 'jobx/keep.csv', 'other/keep.csv']) {
        await s.put(p + k, Buffer.from(k));
      }
      await s.deletePrefix(`${p}job/input-`);
      expect(await s.head(`${p}job/input-old.csv`)).toBeNull();
      expect(await s.head(`${p}job/input-new.csv`)).toBeNull();
      expect(await s.head(`${p}job/diff.csv`)).not.toBeNull();
      await s.deletePrefix(`${p}job/`);
      expect(await s.head(`${p}job/diff.csv`)).toBeNull();
      expect(await s.head(`${p}job/sub/preview.json`)).toBeNull();
      expect(await text(s, `${p}jobx/keep.csv`)).toBe('jobx/keep.csv');
      expect(await text(s, `${p}other/keep.csv`)).toBe('other/keep.csv');
      await s.deletePrefix(`${p}nothing-here/`);
    });

    it('signs a link that downloads under the given name and stops working once expired', async () => {
      const key = `${prefix()}diff.csv`;
      await s.put(key, Buffer.from('change,key\nadded,1\n'));
      const downloadName = '差异 old-vs-new.csv';
      const url = await s.signedUrl(key, { expiresIn: 60, downloadName });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(contentDisposition(downloadName));
      expect(await res.text()).toBe('change,key\nadded,1\n');
      const later = await withClockAhead(61_000, () => fetch(url));
      expect([403, 410]).toContain(later.status);
      expect(await later.text()).toMatch(/expired/i);
    });

    it('refuses a link whose download name was changed', async () => {
      const key = `${prefix()}diff.csv`;
      await s.put(key, Buffer.from('x'));
      const url = new URL(await s.signedUrl(key, { expiresIn: 60, downloadName: 'report.csv' }));
      const tampered = [...url.searchParams].filter(([, v]) => v.includes('report.csv'));
      expect(tampered.length).toBeGreaterThan(0);
      for (const [k, v] of tampered) url.searchParams.set(k, v.replaceAll('report.csv', 'other.csv'));
      expect((await fetch(url)).status).toBe(403);
    });

    it('leaves no object (and keeps the old one) when a put is aborted', async () => {
      const key = `${prefix()}export.xlsx`;
      await s.put(key, Buffer.from('old'));
      const abort = new AbortController();
      async function* body() {
        yield randomBytes(h.partSize);
        yield randomBytes(Math.floor(h.partSize / 2));
        abort.abort();
        yield randomBytes(h.partSize);
        await new Promise(() => undefined);
      }
      await expect(s.put(key, Readable.from(body()), { signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });
      expect(await text(s, key)).toBe('old');
      const fresh = `${prefix()}never.xlsx`;
      const abort2 = new AbortController();
      abort2.abort();
      await expect(s.put(fresh, Buffer.from('x'), { signal: abort2.signal })).rejects.toMatchObject({ name: 'AbortError' });
      expect(await s.head(fresh)).toBeNull();
    }, 60_000);

    it("surfaces the body's own error and leaves no object when the body fails", async () => {
      const key = `${prefix()}upload.csv`;
      async function* failing() {
        yield randomBytes(h.partSize + 10);
        throw ERRORS.tooLarge('the upload is over its limit', { limit: 1 });
      }
      await expect(s.put(key, Readable.from(failing()))).rejects.toMatchObject({ code: 'payload_too_large' });
      expect(await s.head(key)).toBeNull();
      expect((await h.pendingUploads?.()) ?? 0).toBe(0);
    }, 60_000);

    it('refuses a wrong secret with a clear error, and its links', async () => {
      const key = `${prefix()}secret.csv`;
      await s.put(key, Buffer.from('x'));
      const wrong = await h.wrongSecret();
      if (h.secretGuardsOperations) {
        const refused = { code: 'storage_access_denied', retryable: true, message: expect.stringMatching(/refused the request \((SignatureDoesNotMatch|InvalidAccessKeyId)/) };
        await expect(wrong.put(`${prefix()}y.csv`, Buffer.from('y'))).rejects.toMatchObject(refused);
        await expect(wrong.get(key)).rejects.toMatchObject(refused);
        await expect(wrong.ping()).rejects.toMatchObject({ code: 'storage_access_denied', message: expect.stringMatching(/check \S+ and \S+/) });
      }
      expect((await fetch(await wrong.signedUrl(key, { expiresIn: 60 }))).status).toBe(403);
    });

    it.each(['../x', '/etc/passwd', 'a//b', 'a b', ''])('refuses the key %j', async (key) => {
      await expect(s.put(key, Buffer.from('x'))).rejects.toMatchObject({ code: 'validation_failed' });
    });
  });
}
