/**
 * The one schema for every environment variable the processes read.
 *
 * `loadConfig(env)` is pure: it receives the environment as a value and returns a typed
 * `Config`, or throws a `ConfigError` that lists every problem at once. Only the `main.ts`
 * entry files call it with `process.env`; everything else receives `Config` (or a slice).
 */
import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Bucket names as OSS and S3 both accept them: 3–63 lowercase letters, digits, dots and dashes. */
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, '3-63 lowercase letters, digits, dots or dashes');
/** An http(s) origin such as https://oss-cn-hangzhou-internal.aliyuncs.com (no path). */
const endpoint = z.url({ protocol: /^https?$/ }).refine((u) => /^https?:\/\/[^/]+\/?$/.test(u), 'scheme and host only, no path');

/** Raw environment variables, exactly as operators set them (see env.prod.example). */
export const EnvSchema = z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    // HTTP API
    PORT: int(8080, 0).pipe(z.number().max(65535)),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_BASE_URL: z.url().default('http://localhost:8080'),
    APP_SECRET: z.string().min(32).optional(),
    MAX_UPLOAD_BYTES: int(100 * 1024 * 1024, 1),
    IDEMPOTENCY_TTL_HOURS: int(24, 1),
    // Redis
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/, 'letters, digits, : _ - only').default('sd:'),
    // Storage
    STORAGE_DRIVER: z.enum(['local', 'oss', 's3']).default('local'),
    DATA_DIR: z.string().min(1).default('./data'),
    DOWNLOAD_URL_TTL_SECONDS: int(900, 10),
    // Alibaba OSS (required with STORAGE_DRIVER=oss; see ossProblems)
    OSS_REGION: z.string().regex(/^(oss-)?[a-z]+(-[a-z0-9]+)+$/, 'a region id such as cn-hangzhou').optional(),
    OSS_BUCKET: bucketName.optional(),
    OSS_ENDPOINT: endpoint.optional(),
    OSS_PUBLIC_ENDPOINT: endpoint.optional(),
    OSS_ACCESS_KEY_ID: z.string().min(1).optional(),
    OSS_ACCESS_KEY_SECRET: z.string().min(1).optional(),
    // S3-compatible storage (required with STORAGE_DRIVER=s3; see s3Problems)
    S3_ENDPOINT: endpoint.optional(),
    S3_PUBLIC_ENDPOINT: endpoint.optional(),
    S3_REGION: z.string().regex(/^[a-z0-9-]+$/, 'a region name such as us-east-1').default('us-east-1'),
    S3_BUCKET: bucketName.optional(),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_FORCE_PATH_STYLE: bool(false),
    // Payments and pricing
    PAYMENT_PROVIDER: z.enum(['dev', 'wechat']).default('dev'),
    PRICE_BASE_FEN: int(100),
    PRICE_PER_10K_ROWS_FEN: int(50),
    FREE_ROWS: int(1000),
    PAYMENT_ORDER_TTL_MINUTES: int(30, 1),
    PAYMENT_RECONCILE_INTERVAL_MS: int(30_000, 50),
    PAYMENT_RECONCILE_AFTER_SECONDS: int(60, 0),
    // WeChat Pay API v3 (required with PAYMENT_PROVIDER=wechat)
    WECHATPAY_MCHID: z.string().regex(/^[0-9]{6,32}$/, 'digits').optional(),
    WECHATPAY_APPID: z.string().min(1).max(64).optional(),
    WECHATPAY_API_V3_KEY: z.string().length(32, 'must be exactly 32 characters').optional(),
    WECHATPAY_SERIAL: z.string().regex(/^[0-9A-Fa-f]{8,64}$/, 'hex serial of the merchant certificate').optional(),
    WECHATPAY_PRIVATE_KEY: z.string().min(1).optional(),
    WECHATPAY_PLATFORM_CERTS: z.string().min(1).optional(),
    WECHATPAY_PUBLIC_KEY: z.string().min(1).optional(),
    WECHATPAY_PUBLIC_KEY_ID: z.string().min(1).max(64).optional(),
    WECHATPAY_BASE_URL: z.url().default('https://api.mch.weixin.qq.com/'),
    WECHATPAY_NOTIFY_URL: z.url().optional(),
    // Job runtime
    JOB_RETENTION_HOURS: int(72, 1),
    JOB_LEASE_MS: int(15_000, 200),
    JOB_MAX_ATTEMPTS: int(5, 1),
    RECLAIM_INTERVAL_MS: int(5_000, 50),
    RETRY_BASE_MS: int(1_000, 1),
    RETRY_MAX_MS: int(60_000, 1),
    STREAM_BLOCK_MS: int(2_000, 10),
    STREAM_MAX_LEN: int(100_000, 100),
    SHUTDOWN_GRACE_MS: int(25_000, 0),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
    EXPORT_CONCURRENCY: int(4, 1),
    EXPORT_RETENTION_HOURS: int(24, 1),
    WORKER_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/).optional(),
    // Diff limits
    MAX_ROWS_PER_FILE: int(2_000_000, 1),
    DIFF_SPILL_MB: int(256, 1),
    XLSX_STRINGS_MB: int(64, 1),
    DIFF_CHANGES_MB: int(64, 1),
    // Observability
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    METRICS_PORT: int(9100, 0).pipe(z.number().max(65535)),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
    // Web app
    SERVE_WEB_APP: bool(true),
    WEB_APP_DIR: z.string().min(1).optional(),
});

export type Env = z.infer<typeof EnvSchema>;

/** Secret used outside production when APP_SECRET is unset; never valid in production. */
const DEV_SECRET = 'sheetdiff-development-secret-not-for-production-use';

function shape(e: Env) {
  return {
    env: e.NODE_ENV,
    http: {
      port: e.PORT,
      host: e.HOST,
      publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
      maxUploadBytes: e.MAX_UPLOAD_BYTES,
      idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_HOURS * 3600,
      serveWebApp: e.SERVE_WEB_APP,
      webAppDir: e.WEB_APP_DIR,
    },
    secret: e.APP_SECRET ?? DEV_SECRET,
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    storage: {
      driver: e.STORAGE_DRIVER,
      dataDir: e.DATA_DIR,
      downloadUrlTtlSeconds: e.DOWNLOAD_URL_TTL_SECONDS,
      oss: ossConfig(e),
      s3: s3Config(e),
    },
    payment: {
      provider: e.PAYMENT_PROVIDER,
      priceBaseFen: e.PRICE_BASE_FEN,
      pricePer10kRowsFen: e.PRICE_PER_10K_ROWS_FEN,
      freeRows: e.FREE_ROWS,
      orderTtlMs: e.PAYMENT_ORDER_TTL_MINUTES * 60_000,
      reconcileIntervalMs: e.PAYMENT_RECONCILE_INTERVAL_MS,
      reconcileAfterMs: e.PAYMENT_RECONCILE_AFTER_SECONDS * 1000,
      wechat: {
        mchid: e.WECHATPAY_MCHID ?? '',
        appid: e.WECHATPAY_APPID ?? '',
        apiV3Key: e.WECHATPAY_API_V3_KEY ?? '',
        serial: e.WECHATPAY_SERIAL ?? '',
        privateKey: e.WECHATPAY_PRIVATE_KEY ?? '',
        platformCerts: e.WECHATPAY_PLATFORM_CERTS,
        publicKey: e.WECHATPAY_PUBLIC_KEY,
        publicKeyId: e.WECHATPAY_PUBLIC_KEY_ID,
        baseUrl: e.WECHATPAY_BASE_URL,
        notifyUrl: e.WECHATPAY_NOTIFY_URL ?? `${e.PUBLIC_BASE_URL.replace(/\/+$/, '')}/api/v1/wechatpay/notify`,
      },
    },
    jobs: {
      retentionMs: e.JOB_RETENTION_HOURS * 3_600_000,
      leaseMs: e.JOB_LEASE_MS,
      maxAttempts: e.JOB_MAX_ATTEMPTS,
      reclaimIntervalMs: e.RECLAIM_INTERVAL_MS,
      retryBaseMs: e.RETRY_BASE_MS,
      retryMaxMs: e.RETRY_MAX_MS,
      blockMs: e.STREAM_BLOCK_MS,
      streamMaxLen: e.STREAM_MAX_LEN,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      concurrency: e.WORKER_CONCURRENCY,
      workerName: e.WORKER_NAME,
    },
    diff: { maxRowsPerFile: e.MAX_ROWS_PER_FILE, spillBytes: e.DIFF_SPILL_MB * 2 ** 20, sharedStringsBytes: e.XLSX_STRINGS_MB * 2 ** 20, changesBytes: e.DIFF_CHANGES_MB * 2 ** 20 },
    log: { level: e.LOG_LEVEL },
    metrics: { port: e.METRICS_PORT },
    otel: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT },
    exports: { concurrency: e.EXPORT_CONCURRENCY, retentionMs: e.EXPORT_RETENTION_HOURS * 3_600_000 },
  };
}

/** The OSS driver's settings; present only with STORAGE_DRIVER=oss (loadConfig checked them). */
function ossConfig(e: Env) {
  if (e.STORAGE_DRIVER !== 'oss') return undefined;
  const region = (e.OSS_REGION ?? '').replace(/^oss-/, '');
  return {
    region,
    bucket: e.OSS_BUCKET ?? '',
    endpoint: trimSlash(e.OSS_ENDPOINT ?? `https://oss-${region}.aliyuncs.com`),
    publicEndpoint: trimSlash(e.OSS_PUBLIC_ENDPOINT ?? e.OSS_ENDPOINT ?? `https://oss-${region}.aliyuncs.com`),
    accessKeyId: e.OSS_ACCESS_KEY_ID ?? '',
    accessKeySecret: e.OSS_ACCESS_KEY_SECRET ?? '',
  };
}

/** The S3 driver's settings; present only with STORAGE_DRIVER=s3. No endpoint means AWS S3 itself. */
function s3Config(e: Env) {
  if (e.STORAGE_DRIVER !== 's3') return undefined;
  return {
    region: e.S3_REGION,
    bucket: e.S3_BUCKET ?? '',
    endpoint: e.S3_ENDPOINT ? trimSlash(e.S3_ENDPOINT) : undefined,
    publicEndpoint: e.S3_PUBLIC_ENDPOINT ? trimSlash(e.S3_PUBLIC_ENDPOINT) : e.S3_ENDPOINT ? trimSlash(e.S3_ENDPOINT) : undefined,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
    accessKeyId: e.S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: e.S3_SECRET_ACCESS_KEY ?? '',
  };
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');

/** Typed, grouped configuration every process receives as a value. */
export type Config = ReturnType<typeof shape>;

/** Thrown by `loadConfig` with one line per invalid variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** What PAYMENT_PROVIDER=wechat needs: merchant identity and keys, and one way to verify WeChat's signatures. */
function wechatProblems(env: Record<string, string | undefined>): string[] {
  const required = ['WECHATPAY_MCHID', 'WECHATPAY_APPID', 'WECHATPAY_API_V3_KEY', 'WECHATPAY_SERIAL', 'WECHATPAY_PRIVATE_KEY'];
  const out = required.filter((k) => !env[k]).map((k) => `${k}: required with PAYMENT_PROVIDER=wechat`);
  if (!env.WECHATPAY_PLATFORM_CERTS && !env.WECHATPAY_PUBLIC_KEY) {
    out.push('WECHATPAY_PLATFORM_CERTS or WECHATPAY_PUBLIC_KEY: one is required with PAYMENT_PROVIDER=wechat');
  }
  if (env.WECHATPAY_PUBLIC_KEY && !env.WECHATPAY_PUBLIC_KEY_ID) out.push('WECHATPAY_PUBLIC_KEY_ID: required with WECHATPAY_PUBLIC_KEY');
  return out;
}

/**
 * What a storage driver needs: its variables set, and secrets no longer the CHANGE_ME placeholder
 * of env.prod.example (a placeholder key would only fail at the first upload).
 */
function storageProblems(env: Record<string, string | undefined>): string[] {
  const needs: Record<string, string[]> = {
    oss: ['OSS_REGION', 'OSS_BUCKET', 'OSS_ACCESS_KEY_ID', 'OSS_ACCESS_KEY_SECRET'],
    s3: ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'],
  };
  const driver = env.STORAGE_DRIVER ?? 'local';
  return (needs[driver] ?? []).flatMap((k) => {
    if (!env[k]) return [`${k}: required with STORAGE_DRIVER=${driver}`];
    if (env[k] === 'CHANGE_ME') return [`${k}: still the CHANGE_ME placeholder (required with STORAGE_DRIVER=${driver})`];
    return [];
  });
}

/** Validates the environment and returns the grouped config; lists every problem at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" so `FOO=` in an env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  // Cross-field rules, checked on the raw values so they are reported with the field errors.
  if (cleaned.NODE_ENV === 'production' && !cleaned.APP_SECRET) {
    problems.push('APP_SECRET: required in production (at least 32 characters)');
  }
  if (cleaned.PAYMENT_PROVIDER === 'wechat') problems.push(...wechatProblems(cleaned));
  problems.push(...storageProblems(cleaned));
  if (parsed.success && parsed.data.RETRY_MAX_MS < parsed.data.RETRY_BASE_MS) {
    problems.push('RETRY_MAX_MS: must be at least RETRY_BASE_MS');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return shape(parsed.data);
}

/** Every variable name the schema knows (used by docs and deployment checks). */
export const ENV_KEYS = Object.keys(EnvSchema.shape) as (keyof Env)[];
