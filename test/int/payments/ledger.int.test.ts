import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createKeys } from '../../../src/redis/keys.js';
import { applyLedger, checkLedger, rebuildBalance } from '../../../src/services/ledger.js';
import { buildTestApp } from '../../helpers/app.js';
import { useTestRedis } from '../../helpers/redis.js';
import { freePort } from '../../helpers/service.js';
import { cookieOf } from '../api/support.js';

const ACC = 'acc_AAAAAAAAAAAAAAAAAAAAAA';

describe('ledger script', () => {
  it('applies once per key, refuses overdrafts, and the balance equals the rebuilt ledger', async () => {
    const r = await useTestRedis();
    onTestFinished(() => r.cleanup());
    const deps = { redis: r.redis, keys: r.keys };
    expect(await applyLedger(deps, { accountId: ACC, key: 'topup:1', delta: 500, kind: 'topup', now: 1 })).toMatchObject({ code: 'applied', balance: 500 });
    expect(await applyLedger(deps, { accountId: ACC, key: 'topup:1', delta: 500, kind: 'topup', now: 2 })).toMatchObject({ code: 'replayed', balance: 500, delta: 500 });
    expect(await applyLedger(deps, { accountId: ACC, key: 'deduct:a', delta: -501, kind: 'deduct', now: 3 })).toMatchObject({ code: 'insufficient', balance: 500 });
    expect(await applyLedger(deps, { accountId: ACC, key: 'deduct:a', delta: -200, kind: 'deduct', now: 4 })).toMatchObject({ code: 'applied', balance: 300 });
    expect(await checkLedger(deps, ACC)).toMatchObject({ balance: 300, rebuilt: 300, entries: 2, drift: 0, ok: true });
    // A corrupted balance is detected, and rebuilt from the ledger.
    await r.redis.hset(r.keys.account(ACC), 'balance', '999');
    expect(await checkLedger(deps, ACC)).toMatchObject({ drift: 699, ok: false });
    expect(await rebuildBalance(deps, ACC)).toBe(300);
    expect((await checkLedger(deps, ACC)).ok).toBe(true);
  });
});

describe('POST /billing/deduct', () => {
  it('100 concurrent deducts with 30 distinct idempotency keys make exactly 30 entries', async () => {
    const t = await buildTestApp();
    const first = await t.app.inject({ url: '/api/v1/profile' });
    const cookie = cookieOf(first);
    const accountId = first.json().account.id as string;
    await applyLedger(t, { accountId, key: 'topup:seed', delta: 10_000, kind: 'topup', now: Date.now() });
    const reqs = Array.from({ length: 100 }, (_, i) =>
      t.app.inject({ method: 'POST', url: '/api/v1/billing/deduct', headers: { cookie }, payload: { idempotencyKey: `k${i % 30}`, amount: 7 } }),
    );
    const res = await Promise.all(reqs);
    expect(res.every((x) => x.statusCode === 200 || x.statusCode === 201)).toBe(true);
    expect(res.filter((x) => x.statusCode === 201)).toHaveLength(30);
    const check = await checkLedger(t, accountId);
    expect(check).toMatchObject({ entries: 31, balance: 10_000 - 30 * 7, drift: 0, ok: true });
    const profile = (await t.app.inject({ url: '/profile', headers: { cookie } })).json();
    expect(profile.balance).toBe(10_000 - 30 * 7);
    expect(profile.ledger).toHaveLength(20);
  });

  it('answers 402 when the balance is short, 422 for a key reused with another amount, and replays with Idempotency-Key', async () => {
    const t = await buildTestApp();
    const first = await t.app.inject({ url: '/api/v1/profile' });
    const cookie = cookieOf(first);
    const accountId = first.json().account.id as string;
    const short = await t.app.inject({ method: 'POST', url: '/api/v1/billing/deduct', headers: { cookie }, payload: { idempotencyKey: 'a', amount: 1 } });
    expect(short.statusCode).toBe(402);
    expect(short.json()).toMatchObject({ code: 'insufficient_balance', balance: 0, amount: 1 });
    await applyLedger(t, { accountId, key: 'topup:x', delta: 100, kind: 'topup', now: Date.now() });
    const ok = await t.app.inject({ method: 'POST', url: '/billing/deduct', headers: { cookie, 'idempotency-key': 'h1' }, payload: { idempotencyKey: 'a', amount: 40 } });
    expect(ok.statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: '/billing/deduct', headers: { cookie, 'idempotency-key': 'h1' }, payload: { idempotencyKey: 'a', amount: 40 } });
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await t.app.inject({ method: 'POST', url: '/billing/deduct', headers: { cookie }, payload: { idempotencyKey: 'a', amount: 41 } });
    expect(other.statusCode).toBe(422);
    expect((await checkLedger(t, accountId)).balance).toBe(60);
  });
});

/** A TCP proxy that can swallow the server's next reply (the "reply lost" moment). */
async function proxy(target: number): Promise<{ port: number; dropReplies: boolean; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const state = { port: 0, dropReplies: false, server: undefined as unknown as Server, sockets };
  state.server = createServer((client) => {
    const upstream = createConnection(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (b) => upstream.write(b));
    upstream.on('data', (b) => {
      if (!state.dropReplies) client.write(b);
    });
    const end = () => (client.destroy(), upstream.destroy());
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((ok) => state.server.listen(0, '127.0.0.1', ok));
  state.port = (state.server.address() as { port: number }).port;
  return state;
}

function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
  return new Promise((ok, fail) => {
    const deadline = Date.now() + 10_000;
    const probe = () => {
      const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      c.connect().then(() => c.ping()).then(() => (c.disconnect(), ok(child)), () => {
        c.disconnect();
        if (Date.now() > deadline) fail(new Error('redis-server did not start'));
        else setTimeout(probe, 50);
      });
    };
    probe();
  });
}

describe('Redis restart (AOF) between the ledger write and the reply', () => {
  it('loses nothing and applies nothing twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sd-aof-'));
    const port = await freePort();
    let redisProc = await startRedis(port, dir);
    const px = await proxy(port);
    const client = new Redis(px.port, '127.0.0.1', { retryStrategy: () => 50, maxRetriesPerRequest: 20 });
    client.on('error', () => undefined);
    onTestFinished(async () => {
      client.disconnect();
      px.server.close();
      redisProc.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    });
    const deps = { redis: client, keys: createKeys('aof:') };
    await applyLedger(deps, { accountId: ACC, key: 'topup:1', delta: 1_000, kind: 'topup', now: 1 });

    // The script runs and is fsynced, but its reply never reaches the client; Redis then dies.
    px.dropReplies = true;
    const pending = applyLedger(deps, { accountId: ACC, key: 'deduct:x', delta: -300, kind: 'deduct', now: 2 });
    const direct = new Redis(port, '127.0.0.1');
    for (let i = 0; i < 100 && (await direct.xlen(deps.keys.accountLedger(ACC))) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await direct.xlen(deps.keys.accountLedger(ACC))).toBe(2);
    direct.disconnect();
    redisProc.kill('SIGKILL');
    await new Promise((r) => redisProc.once('exit', r));
    for (const s of px.sockets) s.destroy();
    px.dropReplies = false;
    redisProc = await startRedis(port, dir);

    // ioredis re-sends the unanswered script after reconnecting: a replay, not a second debit.
    const reply = await pending;
    expect(reply).toMatchObject({ code: 'replayed', balance: 700, delta: -300 });
    const check = await checkLedger(deps, ACC);
    expect(check).toMatchObject({ entries: 2, balance: 700, drift: 0, ok: true });
  });
});
