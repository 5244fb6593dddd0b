/**
 * `sheetdiff apikey create NAME [--account ID] | list [--json] | revoke ID|KEY` against the Redis
 * at REDIS_URL (and REDIS_PREFIX).
 */
import type { Redis } from 'ioredis';
import { loadConfig } from '../../config/env.js';
import { ERRORS } from '../../errors/index.js';
import { createRedis } from '../../redis/client.js';
import { createKeys, type Keys } from '../../redis/keys.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../../services/api-keys.js';
import type { CliCommand, CliContext } from '../types.js';

async function withRedis<T>(ctx: CliContext, fn: (deps: { redis: Redis; keys: Keys }) => Promise<T>): Promise<T> {
  const config = loadConfig(ctx.env);
  const redis = createRedis({ url: config.redis.url, name: 'sheetdiff-cli', failFast: true });
  redis.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(ERRORS.redisUnavailable(`Redis at ${config.redis.url} is not reachable`)), 5_000);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return await fn({ redis, keys: createKeys(config.redis.prefix) });
  } finally {
    redis.disconnect();
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const positional = (args: string[]) => args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));

export const apikeyCommand: CliCommand = {
  summary: 'manage API keys for services (stored hashed in Redis)',
  usage: ['apikey create NAME [--account ACCOUNT_ID]', 'apikey list [--json]', 'apikey revoke ID|KEY'],
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'create') {
      const name = positional(rest).join(' ').trim();
      if (!name) return usage(ctx);
      const accountId = option(rest, '--account');
      const { key, record } = await withRedis(ctx, (deps) => createApiKey(deps, { name, ...(accountId ? { accountId } : {}) }));
      ctx.out(key);
      ctx.err(`created ${record.id} "${record.name}" for account ${record.accountId}`);
      ctx.err('store the key now: it is shown only once (send it as Authorization: Bearer <key>)');
      return 0;
    }
    if (sub === 'list') {
      const records = await withRedis(ctx, (deps) => listApiKeys(deps));
      if (rest.includes('--json')) ctx.out(JSON.stringify(records));
      else for (const r of records) ctx.out([r.id, r.hint + '…', r.accountId, r.createdAt, r.name].join('\t'));
      return 0;
    }
    if (sub === 'revoke') {
      const target = positional(rest)[0];
      if (!target) return usage(ctx);
      const record = await withRedis(ctx, (deps) => revokeApiKey(deps, target));
      if (!record) {
        ctx.err(`no such API key: ${target.startsWith('sdk_') ? `${target.slice(0, 8)}…` : target}`);
        return 1;
      }
      ctx.out(record.id);
      ctx.err(`revoked ${record.id} "${record.name}"`);
      return 0;
    }
    return usage(ctx);
  },
};

function usage(ctx: CliContext): number {
  for (const u of apikeyCommand.usage) ctx.err(`usage: sheetdiff ${u}`);
  return 2;
}
