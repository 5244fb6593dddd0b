/**
 * Two corrections to @20minutes/s3rver 4.0.4's SigV4 check, so it verifies signatures as S3 does
 * (AWS "Create a canonical request for Signature Version 4") instead of refusing valid requests of
 * AWS SDK v3:
 *
 * 1. Canonical URI: s3rver rebuilds it from the route parameters, which drops the trailing slash of
 *    a bucket-level request (`/bucket/?list-type=2`, `/bucket/?delete`); S3 signs the path as sent.
 * 2. Canonical query: s3rver encodes names and values with encodeURIComponent, which leaves
 *    `! ' ( ) *` as they are; SigV4 encodes them (RFC 3986), and a Content-Disposition with
 *    `filename*=UTF-8''…` in a presigned link contains two of them.
 *
 * The corrected middleware module is compiled from s3rver's own source with the two lines
 * changed, and put in the require cache before s3rver loads it. Each change must match the
 * pinned version's text exactly; otherwise this throws rather than silently checking less.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';

const FIXES: [string, string][] = [
  [
    "      .map(encodeURIComponentRFC3986)\n      .join('/');\n",
    "      .map(encodeURIComponentRFC3986)\n      .join('/');\n    if (!ctx.state.vhost && ctx.params.bucket && !ctx.params.key && ctx.path.endsWith('/')) canonicalizedResource += '/';\n",
  ],
  ['[param, value].map(encodeURIComponent).join(\'=\')', "[param, value].map(encodeURIComponentRFC3986).join('=')"],
];

const requireHere = createRequire(import.meta.url);

/** Installs the corrected authentication middleware; call before s3rver is first loaded. */
export function installS3rverFixes(): void {
  const file = requireHere.resolve('@20minutes/s3rver/lib/middleware/authentication.js');
  const cached = requireHere.cache[file] as (NodeJS.Module & { sheetdiffFixed?: boolean }) | undefined;
  if (cached?.sheetdiffFixed) return;
  if (cached) throw new Error('s3rver was loaded before its signature fixes were installed');
  let source = readFileSync(file, 'utf8');
  for (const [from, to] of FIXES) {
    if (!source.includes(from)) throw new Error(`s3rver's authentication.js changed; review the fix for: ${from}`);
    source = source.replace(from, to);
  }
  const M = Module as unknown as { new (id: string): any; _nodeModulePaths(dir: string): string[] };
  const fixed = new M(file);
  fixed.filename = file;
  fixed.paths = M._nodeModulePaths(path.dirname(file));
  fixed._compile(source, file);
  fixed.loaded = true;
  fixed.sheetdiffFixed = true;
  requireHere.cache[file] = fixed;
}
