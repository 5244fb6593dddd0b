import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../../../src/api/content-disposition.js';
import { problemType, toProblem } from '../../../src/api/error-handler.js';
import { ERRORS } from '../../../src/errors/index.js';
import { downloadName } from '../../../src/services/comparisons.js';
import { cleanFileName } from '../../../src/services/uploads.js';
import { buildSignedUrl, verifySignedDownload } from '../../../src/storage/signed-url.js';

describe('toProblem', () => {
  it('renders RFC 9457 members with our code and keeps details as extensions', () => {
    const p = toProblem(ERRORS.tooLarge('file2 is too large', { limit: 10, retryAfterSeconds: 3, status: 'x' }), '/compare/jobs');
    expect(p).toEqual({
      type: problemType('payload_too_large'),
      title: 'Payload Too Large',
      status: 413,
      code: 'payload_too_large',
      detail: 'file2 is too large',
      instance: '/compare/jobs',
      limit: 10,
    });
  });
});

describe('signed download links', () => {
  const opts = { secret: 's'.repeat(32), publicBaseUrl: 'https://diff.example.com' };
  it('verifies what it signed and nothing else', () => {
    const url = new URL(buildSignedUrl(opts, 'jobs/a/diff.csv', 2_000_000_000, 'diff-a-vs-b.csv'));
    const params = { key: 'jobs/a/diff.csv', exp: url.searchParams.get('exp')!, name: url.searchParams.get('name')!, sig: url.searchParams.get('sig')! };
    expect(() => verifySignedDownload(opts.secret, params, Date.now())).not.toThrow();
    expect(() => verifySignedDownload(opts.secret, { ...params, name: 'x.csv' }, Date.now())).toThrow(expect.objectContaining({ httpStatus: 403 }));
    expect(() => verifySignedDownload(`${opts.secret}x`, params, Date.now())).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => verifySignedDownload(opts.secret, params, 2_000_000_001_000)).toThrow(expect.objectContaining({ code: 'link_expired' }));
  });
});

describe('file names', () => {
  it('keeps the last segment of client paths', () => {
    expect(cleanFileName('C:\\fakepath\\报表.xlsx', 'file1')).toBe('报表.xlsx');
    expect(cleanFileName('../../etc/passwd', 'file1')).toBe('passwd');
    expect(cleanFileName('', 'file2')).toBe('file2');
  });

  it('builds diff-<old>-vs-<new> download names', () => {
    const files = { old: { name: '2024 Q1 报表.xlsx' }, new: { name: 'q2"; x.csv' } } as never;
    expect(downloadName({ files }, 'xlsx')).toBe('diff-2024_Q1_报表-vs-q2_x.xlsx');
  });

  it('sends an ASCII fallback and the UTF-8 name', () => {
    expect(contentDisposition('差异 "a".csv')).toBe(`attachment; filename="__ _a_.csv"; filename*=UTF-8''%E5%B7%AE%E5%BC%82%20%22a%22.csv`);
  });
});
