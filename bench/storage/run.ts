/**
 * Memory and time of streamed uploads through the OSS and S3 drivers: each upload runs in its own
 * process (put-child.ts) against the test OSS server or s3rver running in this one, at two body
 * sizes, so a flat peak RSS shows that a body is never held whole. Medians of 3 runs.
 *
 *   npm run bench:storage [-- --sizes 64,512]   (MiB)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startOssServer } from '../../test/helpers/oss/server.js';
import { startS3Server } from '../../test/helpers/s3/server.js';

const arg = process.argv.indexOf('--sizes');
const sizes = (arg > 0 ? process.argv[arg + 1]! : '64,512').split(',').map((s) => Number(s) * 2 ** 20);
const child = fileURLToPath(new URL('./put-child.ts', import.meta.url));

interface Result { size: number; stored: number; seconds: number; rssBeforeMiB: number; peakRssMiB: number }

function runChild(env: Record<string, string>, bytes: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, ...env, BENCH_BYTES: String(bytes), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Result) : reject(new Error(`child exited ${code}: ${out}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const oss = await startOssServer();
const s3 = await startS3Server();
const drivers: [string, Record<string, string>][] = [
  ['oss', { STORAGE_DRIVER: 'oss', OSS_REGION: oss.region, OSS_BUCKET: oss.bucket, OSS_ENDPOINT: oss.endpoint, OSS_ACCESS_KEY_ID: oss.accessKeyId, OSS_ACCESS_KEY_SECRET: oss.accessKeySecret }],
  ['s3', { STORAGE_DRIVER: 's3', S3_ENDPOINT: s3.endpoint, S3_REGION: s3.region, S3_BUCKET: s3.bucket, S3_FORCE_PATH_STYLE: 'true', S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey }],
];
console.log('driver  body MiB  MiB/s (median of 3)  RSS before upload MiB  peak RSS MiB (median)');
try {
  for (const [name, env] of drivers) {
    for (const bytes of sizes) {
      const runs: Result[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await runChild(env, bytes);
        if (r.size !== bytes || r.stored !== bytes) throw new Error(`${name}: sent ${bytes}, put says ${r.size}, stored ${r.stored}`);
        runs.push(r);
      }
      const mibs = median(runs.map((r) => bytes / 2 ** 20 / r.seconds));
      console.log(`${name.padEnd(6)}  ${String(bytes / 2 ** 20).padStart(8)}  ${mibs.toFixed(1).padStart(19)}  ${median(runs.map((r) => r.rssBeforeMiB)).toFixed(0).padStart(21)}  ${median(runs.map((r) => r.peakRssMiB)).toFixed(0).padStart(21)}`);
    }
  }
} finally {
  await oss.close();
  await s3.close();
}
