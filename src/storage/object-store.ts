/**
 * Object storage behind one interface: local filesystem (default), Alibaba OSS, S3-compatible.
 * Drivers map their SDK errors to `ERRORS.*` codes.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  size: number;
  contentType?: string;
  lastModified?: Date;
}

export interface PutOptions {
  contentType?: string;
  /** Abort the upload (the partial object is removed). */
  signal?: AbortSignal;
}

export interface SignedUrlOptions {
  /** Seconds until the link stops working. */
  expiresIn: number;
  /** File name offered to the browser (Content-Disposition: attachment). */
  downloadName?: string;
}

export interface ObjectStore {
  /** Stores the whole stream under `key`, replacing any object there; resolves with its size. */
  put(key: string, body: Readable | Buffer, opts?: PutOptions): Promise<{ size: number }>;
  /**
   * Stores a local file under `key` by moving it (the file is gone afterwards); resolves with its
   * size. Only drivers that can do better than streaming the file have it (local: a rename on
   * the same filesystem); callers fall back to `put` with a read stream.
   */
  putFile?(key: string, file: string): Promise<{ size: number }>;
  /** Reads an object; throws `not_found` when it is missing. */
  get(key: string): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | null>;
  delete(key: string): Promise<void>;
  /** Removes every object whose key starts with `prefix` (e.g. a job's folder). */
  deletePrefix(prefix: string): Promise<void>;
  /** A time-limited URL a browser can download from without further auth. */
  signedUrl(key: string, opts: SignedUrlOptions): Promise<string>;
  /** Cheap reachability check for /readyz. */
  ping(): Promise<void>;
}
