/**
 * Consumer groups are created before anything reads or writes the streams, at id 0, so no entry
 * written earlier (even before the group existed) is ever skipped.
 */
import type { Redis } from 'ioredis';
import { STREAM_KINDS, type Keys } from '../redis/keys.js';

/** XGROUP CREATE <stream> <group> 0 MKSTREAM for one stream; an existing group is left as it is. */
export async function ensureGroup(redis: Redis, keys: Keys, kind: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', keys.stream(kind), keys.group(kind), '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
  }
}

/** Creates every work stream's consumer group; every process calls this at start. */
export async function ensureGroups(redis: Redis, keys: Keys, kinds: readonly string[] = STREAM_KINDS): Promise<void> {
  for (const kind of kinds) await ensureGroup(redis, keys, kind);
}
