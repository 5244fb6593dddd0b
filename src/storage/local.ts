/**
 * Local-filesystem object store: objects are files under `${dataDir}/objects/`, written to a
 * temporary file and renamed into place so a reader never sees half an object.
 *
 * Signed links point at the API's `GET /files/<key>` route (see signed-url.ts).
 */
import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, ERRORS } from '../errors/index.js';
import type { ObjectInfo, ObjectStore, PutOptions, SignedUrlOptions } from './object-store.js';
import { contentTypeOf } from './media-types.js';
import { buildSignedUrl } from './signed-url.js';

export interface LocalStoreOptions {
  /** Root data directory; objects live in `objects/`, temporary files in `tmp/`. */
  dataDir: string;
  /** HMAC key for signed links. */
  secret: string;
  /** Base of signed links, e.g. `https://diff.example.com` (no trailing slash). */
  publicBaseUrl: string;
  /** Milliseconds since epoch. @defaultValue Date.now */
  now?: () => number;
}

const KEY_CHARS = /^[A-Za-z0-9._/-]+$/;

/** Throws `validation_failed` unless `key` is a safe relative object key (no traversal). */
export function assertSafeKey(key: string, { prefix = false } = {}): void {
  const segments = key.split('/');
  if (prefix && segments.at(-1) === '') segments.pop();
  const ok =
    key.length > 0 &&
    key.length <= 1024 &&
    KEY_CHARS.test(key) &&
    segments.length > 0 &&
    segments.every((s) => s !== '' && s !== '.' && s !== '..');
  if (!ok) throw ERRORS.validation(`invalid object key: ${JSON.stringify(key)}`);
}

function storageError(err: unknown, key: string): Error {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return ERRORS.notFound('object', key);
  return ERRORS.storageUnavailable(`local storage failed for ${key}: ${(err as Error)?.message ?? String(err)}`);
}

/** Creates the local driver; directories are created on first write. */
export function createLocalStore(opts: LocalStoreOptions): ObjectStore {
  const root = path.resolve(opts.dataDir, 'objects');
  const tmpDir = path.resolve(opts.dataDir, 'tmp');
  const now = opts.now ?? Date.now;

  const fileOf = (key: string, asPrefix = false): string => {
    assertSafeKey(key, { prefix: asPrefix });
    const file = path.resolve(root, key);
    // Belt and braces: the character check already rules out escaping the root.
    if (!file.startsWith(root + path.sep)) throw ERRORS.validation(`invalid object key: ${key}`);
    return file;
  };

  const self: ObjectStore = {
    async put(key: string, body: Readable | Buffer, putOpts: PutOptions = {}) {
      const target = fileOf(key);
      const tmp = path.join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          cb(null, chunk);
        },
      });
      try {
        await mkdir(tmpDir, { recursive: true });
        await mkdir(path.dirname(target), { recursive: true });
        const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
        const sink = createWriteStream(tmp, { flush: true });
        await pipeline(source, counter, sink, putOpts.signal ? { signal: putOpts.signal } : {});
        await rename(tmp, target);
        return { size };
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        // The body's own error (e.g. an upload over the limit) is what the caller must see.
        if (err instanceof AppError || (err as Error)?.name === 'AbortError') throw err;
        throw storageError(err, key);
      }
    },

    async putFile(key: string, file: string) {
      const target = fileOf(key);
      try {
        await mkdir(path.dirname(target), { recursive: true });
        // Durable before it becomes visible, as `put` (which flushes its temporary file).
        const fh = await open(file, 'r+');
        let size: number;
        try {
          await fh.sync();
          size = (await fh.stat()).size;
        } finally {
          await fh.close();
        }
        await rename(file, target);
        return { size };
      } catch (err) {
        // Another filesystem: copied like any other body (put removes nothing of the source).
        if ((err as NodeJS.ErrnoException).code === 'EXDEV') {
          const r = await self.put(key, createReadStream(file));
          await unlink(file).catch(() => undefined);
          return r;
        }
        throw storageError(err, key);
      }
    },

    async get(key: string) {
      const file = fileOf(key);
      try {
        const fh = await open(file, 'r');
        return fh.createReadStream();
      } catch (err) {
        throw storageError(err, key);
      }
    },

    async head(key: string): Promise<ObjectInfo | null> {
      const file = fileOf(key);
      try {
        const st = await stat(file);
        if (!st.isFile()) return null;
        const contentType = contentTypeOf(key);
        return { size: st.size, lastModified: st.mtime, ...(contentType ? { contentType } : {}) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw storageError(err, key);
      }
    },

    async delete(key: string) {
      try {
        await rm(fileOf(key), { force: true });
      } catch (err) {
        throw storageError(err, key);
      }
    },

    async deletePrefix(prefix: string) {
      const base = fileOf(prefix, true);
      // `jobs/abc/` removes the folder; `jobs/abc/input-` removes matching siblings.
      const dir = prefix.endsWith('/') ? base : path.dirname(base);
      const namePrefix = prefix.endsWith('/') ? '' : path.basename(base);
      try {
        const names = await readdir(dir);
        const doomed = names.filter((n) => n.startsWith(namePrefix));
        await Promise.all(doomed.map((n) => rm(path.join(dir, n), { recursive: true, force: true })));
        if (prefix.endsWith('/')) await rm(dir, { recursive: true, force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw storageError(err, prefix);
      }
    },

    async signedUrl(key: string, o: SignedUrlOptions) {
      assertSafeKey(key);
      const exp = Math.floor(now() / 1000) + Math.max(1, Math.floor(o.expiresIn));
      return buildSignedUrl(opts, key, exp, o.downloadName);
    },

    async ping() {
      try {
        await mkdir(root, { recursive: true });
        await access(root, constants.R_OK | constants.W_OK);
      } catch (err) {
        throw ERRORS.storageUnavailable(`local storage not writable: ${(err as Error).message}`);
      }
    },
  };
  return self;
}
