/**
 * The consumer's read loop on its dedicated blocking connection: XREADGROUP COUNT = free slots,
 * BLOCK = STREAM_BLOCK_MS. `stop()` breaks the blocking read with CLIENT UNBLOCK (no delivered
 * entry is lost in a dropped reply), falling back to disconnecting the connection.
 */
import type { Redis } from 'ioredis';
import type { StreamKeys } from '../redis/scripts.js';
import type { RawEntry } from './maintenance.js';
import type { StreamLogger } from './types.js';

export interface ReadLoopDeps {
  redis: Redis;
  blocking: Redis;
  stream: StreamKeys;
  consumerName: string;
  blockMs: number;
  log: StreamLogger;
  stopped(): boolean;
  /** How many entries the consumer wants now (free slots plus read-ahead, minus those waiting). */
  wanted(): number;
  /** Resolves when `wanted()` may have grown. */
  waitWanted(): Promise<void>;
  accept(entries: RawEntry[]): void;
  ensureGroup(): Promise<void>;
}

type ReadReply = [stream: string, entries: RawEntry[]][] | null;

export function readLoop(d: ReadLoopDeps): { stop(): Promise<void> } {
  let clientId: number | null = null;
  let needId = true;
  let failures = 0;
  // A reconnect gives the connection a new client id; fetch it before the next blocking read.
  d.blocking.on('ready', () => (needId = true));

  const loop = (async () => {
    while (!d.stopped()) {
      const want = Math.min(d.wanted(), 1_000);
      if (want <= 0) {
        await d.waitWanted();
        continue;
      }
      let reply: ReadReply;
      try {
        if (needId) {
          needId = false;
          clientId = Number(await d.blocking.client('ID'));
          if (d.stopped()) break;
        }
        reply = (await d.blocking.xreadgroup(
          'GROUP', d.stream.group, d.consumerName, 'COUNT', want, 'BLOCK', d.blockMs, 'STREAMS', d.stream.stream, '>',
        )) as ReadReply;
        failures = 0;
      } catch (err) {
        if (d.stopped()) break;
        const message = (err as Error).message;
        if (message.includes('NOGROUP')) {
          await d.ensureGroup().catch(() => undefined);
          continue;
        }
        failures++;
        d.log.warn({ err: message }, 'stream read failed');
        await new Promise((r) => setTimeout(r, Math.min(2_000, 50 * 2 ** Math.min(failures, 6))));
        continue;
      }
      const entries = reply?.[0]?.[1];
      // Entries read while stopping are still claimed and run within the shutdown grace.
      if (entries && entries.length > 0) d.accept(entries);
    }
  })();

  return {
    async stop() {
      if (clientId !== null) {
        await Promise.race([
          d.redis.client('UNBLOCK', clientId).catch(() => undefined),
          new Promise((r) => setTimeout(r, 200)),
        ]);
      }
      const finished = await Promise.race([loop.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 300))]);
      if (!finished) {
        d.blocking.disconnect();
        await Promise.race([loop, new Promise((r) => setTimeout(r, 1_000))]);
      }
    },
  };
}
