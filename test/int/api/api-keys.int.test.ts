import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { upload } from './support.js';

async function cli(t: TestApp, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: { REDIS_URL: t.testRedis.url, REDIS_PREFIX: t.testRedis.prefix },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out, err };
}

describe('API keys (sheetdiff apikey …)', () => {
  it('creates a key that authenticates, lists it without the secret, and revokes it', async () => {
    const t = await buildTestApp();
    const created = await cli(t, 'apikey', 'create', 'billing', 'service');
    expect(created.code).toBe(0);
    const [key] = created.out;
    expect(key).toMatch(/^sdk_[A-Za-z0-9_-]{43}$/);
    // Stored hashed: the secret appears nowhere in Redis.
    const all = await t.testRedis.redis.keys(`${t.testRedis.prefix}*`);
    for (const k of all.filter((x) => x.includes('apikey'))) {
      const type = await t.testRedis.redis.type(k);
      const dump = type === 'hash' ? JSON.stringify(await t.testRedis.redis.hgetall(k)) : '';
      expect(dump).not.toContain(key!.slice(4));
      expect(k).not.toContain(key!.slice(4));
    }

    const auth = { authorization: `Bearer ${key}` };
    const job = await upload(t.app, { headers: auth });
    expect(job.statusCode).toBe(202);
    expect(job.headers['set-cookie']).toBeUndefined();
    const url = `/api/v1/compare/jobs/${job.json().jobId}`;
    expect((await t.app.inject({ url, headers: auth })).statusCode).toBe(200);

    const listed = await cli(t, 'apikey', 'list', '--json');
    const records = JSON.parse(listed.out[0]!);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ name: 'billing service', hint: key!.slice(0, 8) });
    expect(JSON.stringify(records)).not.toContain(key);

    const revoked = await cli(t, 'apikey', 'revoke', records[0].id);
    expect(revoked).toMatchObject({ code: 0, out: [records[0].id] });
    const after = await t.app.inject({ url, headers: auth });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('unauthorized');
    expect(after.headers['www-authenticate']).toContain('Bearer');
    expect((await cli(t, 'apikey', 'revoke', key!)).code).toBe(1);
  });

  it('keeps jobs private between keys, and a rotated key on the same account sees them', async () => {
    const t = await buildTestApp();
    const a = (await cli(t, 'apikey', 'create', 'a')).out[0]!;
    const b = (await cli(t, 'apikey', 'create', 'b')).out[0]!;
    const job = await upload(t.app, { headers: { authorization: `Bearer ${a}` } });
    const url = `/compare/jobs/${job.json().jobId}`;
    expect((await t.app.inject({ url, headers: { authorization: `Bearer ${b}` } })).statusCode).toBe(404);
    expect((await t.app.inject({ url })).statusCode).toBe(404);

    const [record] = JSON.parse((await cli(t, 'apikey', 'list', '--json')).out[0]!).filter((r: { name: string }) => r.name === 'a');
    const rotated = (await cli(t, 'apikey', 'create', 'a2', '--account', record.accountId)).out[0]!;
    expect((await t.app.inject({ url, headers: { authorization: `Bearer ${rotated}` } })).statusCode).toBe(200);
  });

  it('rejects malformed credentials with 401 and prints usage for bad commands', async () => {
    const t = await buildTestApp();
    for (const authorization of ['Bearer nope', 'Basic abc', `Bearer sdk_${'x'.repeat(43)}`]) {
      const res = await t.app.inject({ url: '/compare/jobs/x', headers: { authorization } });
      expect(res.statusCode).toBe(401);
    }
    expect((await cli(t, 'apikey')).code).toBe(2);
    expect((await cli(t, 'nope')).code).toBe(2);
    expect((await cli(t, 'apikey', 'create')).code).toBe(2);
  });
});
