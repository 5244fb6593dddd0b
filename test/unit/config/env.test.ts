import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_KEYS, loadConfig } from '../../../src/config/env.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(8080);
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.storage.driver).toBe('local');
    expect(c.payment.provider).toBe('dev');
    expect(c.jobs.leaseMs).toBe(15_000);
  });

  it('lists every problem at once', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'localhost:6379', STORAGE_DRIVER: 'ftp', NODE_ENV: 'production' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'REDIS_URL', 'STORAGE_DRIVER', 'APP_SECRET']) expect(problems).toContain(name);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '' }).http.port).toBe(8080);
  });

  it('rejects a retry ceiling below the base', () => {
    expect(() => loadConfig({ RETRY_BASE_MS: '5000', RETRY_MAX_MS: '100' })).toThrow(/RETRY_MAX_MS/);
  });

  it('gives the diff budgets in bytes, the change budget included', () => {
    expect(loadConfig({}).diff).toMatchObject({ spillBytes: 256 * 2 ** 20, sharedStringsBytes: 64 * 2 ** 20, changesBytes: 64 * 2 ** 20 });
    expect(loadConfig({ DIFF_CHANGES_MB: '8' }).diff.changesBytes).toBe(8 * 2 ** 20);
    expect(() => loadConfig({ DIFF_CHANGES_MB: '0' })).toThrow(/DIFF_CHANGES_MB/);
  });

  it('does not read process.env', () => {
    const before = process.env.PORT;
    process.env.PORT = '1234';
    try {
      expect(loadConfig({}).http.port).toBe(8080);
    } finally {
      if (before === undefined) delete process.env.PORT;
      else process.env.PORT = before;
    }
  });
});

describe('README configuration table', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const documented = [...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

  it('documents exactly the variables the schema knows', () => {
    expect([...documented].sort()).toEqual([...ENV_KEYS].sort());
  });
});
