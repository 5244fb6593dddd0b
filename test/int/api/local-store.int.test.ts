import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { onTestFinished, describe, expect, it } from 'vitest';
import { ERRORS } from '../../../src/errors/index.js';
import { createObjectStore } from '../../../src/storage/index.js';
import { createLocalStore } from '../../../src/storage/local.js';

async function store() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sheetdiff-store-'));
  onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
  return { dataDir, s: createLocalStore({ dataDir, secret: 'x'.repeat(32), publicBaseUrl: 'http://h' }) };
}

const text = async (r: Readable) => {
  let out = '';
  for await (const c of r) out += c;
  return out;
};

describe('local object store', () => {
  it('puts, heads, gets, deletes and deletes by prefix', async () => {
    const { s } = await store();
    expect(await s.put('jobs/a/input-old.csv', Buffer.from('abc'))).toEqual({ size: 3 });
    await s.put('jobs/a/diff.csv', Readable.from(['x', 'yz']));
    await s.put('jobs/b/diff.csv', Buffer.from('keep'));
    expect(await s.head('jobs/a/diff.csv')).toMatchObject({ size: 3, contentType: 'text/csv' });
    expect(await text(await s.get('jobs/a/input-old.csv'))).toBe('abc');
    await s.deletePrefix('jobs/a/input-');
    expect(await s.head('jobs/a/input-old.csv')).toBeNull();
    expect(await s.head('jobs/a/diff.csv')).not.toBeNull();
    await s.deletePrefix('jobs/a/');
    expect(await s.head('jobs/a/diff.csv')).toBeNull();
    expect(await text(await s.get('jobs/b/diff.csv'))).toBe('keep');
    await s.delete('jobs/b/diff.csv');
    await expect(s.get('jobs/b/diff.csv')).rejects.toMatchObject({ code: 'not_found' });
    await s.deletePrefix('jobs/none/');
  });

  it('leaves neither a partial object nor a temp file when the body fails', async () => {
    const { s, dataDir } = await store();
    await s.put('jobs/a/x.csv', Buffer.from('old'));
    async function* failing() {
      yield Buffer.from('partial');
      throw ERRORS.tooLarge('too big', { limit: 1 });
    }
    await expect(s.put('jobs/a/x.csv', Readable.from(failing()))).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(await text(await s.get('jobs/a/x.csv'))).toBe('old');
    expect(await readdir(path.join(dataDir, 'tmp'))).toEqual([]);
  });

  it.each(['../x', '/etc/passwd', 'a//b', 'a/./b', 'a/../../b', 'a b', 'a\\b', ''])('refuses the key %j', async (key) => {
    const { s } = await store();
    await expect(s.put(key, Buffer.from('x'))).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('refuses a remote driver without its settings at startup', async () => {
    const config = { storage: { driver: 's3' as const, dataDir: '.', downloadUrlTtlSeconds: 60 }, secret: 'x', http: { publicBaseUrl: 'http://h' } };
    await expect(createObjectStore(config as never)).rejects.toMatchObject({ code: 'storage_driver_unavailable', message: /needs its settings/ });
  });
});
