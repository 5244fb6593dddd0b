import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobStore } from '../../../src/jobs/store.js';
import { newJob } from '../../helpers/jobs.js';
import { freePort } from '../../helpers/service.js';
import { ids, useScenario, waitFor, type Scenario } from '../../helpers/streams.js';

let s: Scenario;
let server: ChildProcess | undefined;
afterEach(async () => {
  server?.kill('SIGKILL');
  server = undefined;
  await s?.cleanup();
});

/** Ids of the clients whose CLIENT LIST name ends with `suffix` and starts with the worker name. */
async function clientIds(redis: Redis, worker: string, suffix: string): Promise<string[]> {
  const list = (await redis.client('LIST')) as string;
  return list
    .split('\n')
    .filter((l) => new RegExp(`name=${worker}:${suffix}( |$)`).test(l))
    .map((l) => /id=(\d+)/.exec(l)![1]!);
}

describe('dropped connections', () => {
  it('recovers when its blocking read connection is killed, and still reads new jobs', async () => {
    s = await useScenario();
    const w = await s.worker();
    for (let round = 0; round < 2; round++) {
      await waitFor(async () => (await clientIds(s.t.redis, w.name, 'blocking')).length === 1, 'the blocking connection');
      // Give the read time to block, then drop the connection in the middle of it.
      await new Promise((r) => setTimeout(r, 200));
      const [id] = await clientIds(s.t.redis, w.name, 'blocking');
      await s.t.redis.client('KILL', 'ID', id!);
      const jobs = ids(`blk${round}`, 5);
      await s.createJobs(jobs);
      await s.waitTerminal(jobs, 15_000);
      await s.assertExactlyOnce(jobs);
    }
  });

  it('commits every job exactly once while its command connection is killed again and again mid-script', async () => {
    s = await useScenario({ WORK_MS: '5', WORKER_CONCURRENCY: '16' });
    const w = await s.worker();
    const jobs = ids('drop', 150);
    const creating = s.createJobs(jobs);
    let kills = 0;
    // At least 4 s of kills, and at least 21 of them however slow the machine is.
    const start = Date.now();
    while (Date.now() - start < 4_000 || (kills <= 20 && Date.now() - start < 30_000)) {
      for (const id of await clientIds(s.t.redis, w.name, 'command')) {
        await s.t.redis.client('KILL', 'ID', id).catch(() => undefined);
        kills++;
      }
      await new Promise((r) => setTimeout(r, 40));
    }
    await creating;
    await s.waitTerminal(jobs, 30_000);
    expect(kills).toBeGreaterThan(20);
    await s.assertExactlyOnce(jobs);
    await s.waitNoPending();
  });

  it('waits for Redis when it is down at start, then proceeds once it comes up', async () => {
    s = await useScenario();
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const w = await s.worker({}, { wait: false, url });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(w.events().some((e) => e.ev === 'ready')).toBe(false); // still waiting, not crashed
    expect(w.child.exitCode).toBeNull();
    server = spawn('/usr/bin/redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await w.waitForEvent((e) => e.ev === 'ready', 20_000);
    const redis = new Redis(url, { maxRetriesPerRequest: 3 });
    try {
      const store = createJobStore({ redis, keys: s.t.keys });
      for (const id of ids('late', 3)) await store.create(newJob(id));
      await waitFor(async () => (await Promise.all(ids('late', 3).map((id) => redis.hget(s.t.keys.job(id), 'status')))).every((x) => x === 'ready'), 'jobs on the late Redis');
    } finally {
      redis.disconnect();
    }
  });
});
