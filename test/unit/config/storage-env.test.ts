import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/env.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

const OSS = { STORAGE_DRIVER: 'oss', OSS_REGION: 'cn-hangzhou', OSS_BUCKET: 'sheetdiff-files', OSS_ACCESS_KEY_ID: 'LTAIexample', OSS_ACCESS_KEY_SECRET: 'secret' };
const S3 = { STORAGE_DRIVER: 's3', S3_BUCKET: 'sheetdiff-files', S3_ACCESS_KEY_ID: 'AKIAexample', S3_SECRET_ACCESS_KEY: 'secret' };

describe('storage configuration', () => {
  it('needs no storage variables with the local driver, and gives no remote settings', () => {
    const c = loadConfig({ OSS_ACCESS_KEY_SECRET: 'CHANGE_ME', S3_SECRET_ACCESS_KEY: 'CHANGE_ME' });
    expect(c.storage).toMatchObject({ driver: 'local', oss: undefined, s3: undefined });
  });

  it('lists every missing OSS variable at once, with the driver that needs it', () => {
    expect(problemsOf({ STORAGE_DRIVER: 'oss' })).toEqual([
      'OSS_REGION: required with STORAGE_DRIVER=oss',
      'OSS_BUCKET: required with STORAGE_DRIVER=oss',
      'OSS_ACCESS_KEY_ID: required with STORAGE_DRIVER=oss',
      'OSS_ACCESS_KEY_SECRET: required with STORAGE_DRIVER=oss',
    ]);
  });

  it('lists every missing S3 variable, and refuses CHANGE_ME placeholders, next to other problems', () => {
    const problems = problemsOf({ STORAGE_DRIVER: 's3', S3_ACCESS_KEY_ID: 'CHANGE_ME', PORT: 'x' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT/),
        'S3_BUCKET: required with STORAGE_DRIVER=s3',
        'S3_ACCESS_KEY_ID: still the CHANGE_ME placeholder (required with STORAGE_DRIVER=s3)',
        'S3_SECRET_ACCESS_KEY: required with STORAGE_DRIVER=s3',
      ]),
    );
  });

  it('validates bucket names, regions and endpoints', () => {
    const problems = problemsOf({ ...OSS, OSS_BUCKET: 'Bad_Bucket', OSS_REGION: 'Hangzhou', OSS_ENDPOINT: 'ftp://x', S3_ENDPOINT: 'https://minio:9000/path' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['OSS_BUCKET', 'OSS_REGION', 'OSS_ENDPOINT', 'S3_ENDPOINT']));
  });

  it('derives the OSS endpoints from the region and accepts the oss- prefixed form', () => {
    expect(loadConfig({ ...OSS, OSS_REGION: 'oss-cn-shanghai' }).storage.oss).toEqual({
      region: 'cn-shanghai',
      bucket: 'sheetdiff-files',
      endpoint: 'https://oss-cn-shanghai.aliyuncs.com',
      publicEndpoint: 'https://oss-cn-shanghai.aliyuncs.com',
      accessKeyId: 'LTAIexample',
      accessKeySecret: 'secret',
    });
    const internal = loadConfig({ ...OSS, OSS_ENDPOINT: 'https://oss-cn-hangzhou-internal.aliyuncs.com/', OSS_PUBLIC_ENDPOINT: 'https://oss-cn-hangzhou.aliyuncs.com' });
    expect(internal.storage.oss).toMatchObject({ endpoint: 'https://oss-cn-hangzhou-internal.aliyuncs.com', publicEndpoint: 'https://oss-cn-hangzhou.aliyuncs.com' });
  });

  it('gives the S3 settings, links on the request endpoint unless a public one is set', () => {
    expect(loadConfig(S3).storage.s3).toEqual({
      region: 'us-east-1',
      bucket: 'sheetdiff-files',
      endpoint: undefined,
      publicEndpoint: undefined,
      forcePathStyle: false,
      accessKeyId: 'AKIAexample',
      secretAccessKey: 'secret',
    });
    const minio = loadConfig({ ...S3, S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true' }).storage.s3;
    expect(minio).toMatchObject({ endpoint: 'http://minio:9000', publicEndpoint: 'http://minio:9000', forcePathStyle: true });
    expect(loadConfig({ ...S3, S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_ENDPOINT: 'https://files.example.com' }).storage.s3?.publicEndpoint).toBe('https://files.example.com');
  });
});
