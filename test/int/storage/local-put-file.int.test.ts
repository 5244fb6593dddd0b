/**
 * The local driver's putFile: a rendered file becomes an object by a rename (gone from its old
 * place), durable and readable like any other, also through the metering decorator.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { meterObjectStore } from '../../../src/observability/metered-store.js';
import { createLocalStore } from '../../../src/storage/local.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'sd-put-file-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function readAll(r: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('local store putFile', () => {
  const store = meterObjectStore(createLocalStore({ dataDir, secret: 'x'.repeat(32), publicBaseUrl: 'http://127.0.0.1' }));

  it('moves the file into place and serves it as the object', async () => {
    await mkdir(path.join(dataDir, 'tmp'), { recursive: true });
    const file = path.join(dataDir, 'tmp', 'render.csv');
    const body = randomBytes(300_000);
    writeFileSync(file, body);
    expect(store.putFile).toBeTypeOf('function');
    const { size } = await store.putFile!('exports/e1/export.csv', file);
    expect(size).toBe(body.length);
    expect(existsSync(file)).toBe(false);
    expect(await readAll(await store.get('exports/e1/export.csv'))).toEqual(body);
    expect((await store.head('exports/e1/export.csv'))?.size).toBe(body.length);
  });

  it('refuses an unsafe key and a missing file', async () => {
    const file = path.join(dataDir, 'tmp', 'other.csv');
    writeFileSync(file, 'x');
    await expect(store.putFile!('../escape.csv', file)).rejects.toMatchObject({ code: 'validation_failed' });
    expect(existsSync(file)).toBe(true);
    await expect(store.putFile!('exports/e2/export.csv', path.join(dataDir, 'tmp', 'missing.csv'))).rejects.toThrow();
  });
});
