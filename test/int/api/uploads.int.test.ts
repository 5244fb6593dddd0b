import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { cookieOf, minimalXlsx, NEW_CSV, OLD_CSV, upload } from './support.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);

describe('POST /compare/jobs', () => {
  it('accepts two CSV files, stores them and queues a job', async () => {
    const t = await buildTestApp();
    const res = await upload(t.app, { fields: { key: 'id, name', options: JSON.stringify({ trim: true }) } });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.jobId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.status).toBe('queued');
    expect(res.headers.location).toBe(`/api/v1/compare/jobs/${body.jobId}`);
    expect(body.links.events).toBe(`/api/v1/compare/jobs/${body.jobId}/events`);

    const job = await t.jobs.get(body.jobId);
    expect(job?.key).toEqual(['id', 'name']);
    expect(job?.options.trim).toBe(true);
    expect(job?.files.old).toMatchObject({ name: 'old.csv', format: 'csv', size: OLD_CSV.length });
    expect(job?.files.old.sha256).toMatch(/^[0-9a-f]{64}$/);
    const stored = await readFile(path.join(t.dataDir, 'objects', job!.files.new.storageKey), 'utf8');
    expect(stored).toBe(NEW_CSV);
    // Enqueued for the compare worker.
    expect(await t.testRedis.redis.xlen(t.keys.stream('compare'))).toBe(1);

    const view = await t.app.inject({ url: `/compare/jobs/${body.jobId}`, headers: { cookie: cookieOf(res) } });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ id: body.jobId, status: 'queued', paid: false, progress: 0, files: { old: 'old.csv', new: 'new.csv' } });
  });

  it('recognises an XLSX by its content and an empty key', async () => {
    const t = await buildTestApp();
    const xlsx = await minimalXlsx();
    const res = await upload(t.app, {
      fields: { key: '' },
      files: [
        { name: 'file1', filename: 'C:\\fakepath\\old.xlsx', content: xlsx },
        { name: 'file2', filename: 'new.xlsm', content: xlsx },
      ],
    });
    expect(res.statusCode).toBe(202);
    const job = await t.jobs.get(res.json().jobId);
    expect(job?.key).toEqual([]);
    expect(job?.files.old).toMatchObject({ name: 'old.xlsx', format: 'xlsx', size: xlsx.length });
    expect(job?.files.new.format).toBe('xlsm');
    expect(job?.files.new.storageKey).toBe(`jobs/${job!.id}/input-new.xlsm`);
  });

  it('gives every job a distinct 128-bit id', async () => {
    const t = await buildTestApp();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await upload(t.app)).json().jobId);
    expect(ids.size).toBe(5);
    for (const id of ids) expect(Buffer.from(id, 'base64url').length).toBe(16);
  });

  it('answers 413 with the limit and removes the partial upload', async () => {
    const t = await buildTestApp({ env: { MAX_UPLOAD_BYTES: '1024' } });
    const res = await upload(t.app, {
      files: [
        { name: 'file1', filename: 'old.csv', content: OLD_CSV },
        { name: 'file2', filename: 'new.csv', content: `id\n${'1\n'.repeat(20_000)}` },
      ],
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 413, code: 'payload_too_large', limit: 1024, field: 'file2' });
    const jobsDir = await readdir(path.join(t.dataDir, 'objects', 'jobs')).catch(() => []);
    expect(jobsDir).toEqual([]);
    expect(await t.testRedis.redis.xlen(t.keys.stream('compare'))).toBe(0);
  });

  it('answers 415 for a PNG named .csv', async () => {
    const t = await buildTestApp();
    const res = await upload(t.app, {
      files: [
        { name: 'file1', filename: 'old.csv', content: OLD_CSV },
        { name: 'file2', filename: 'photo.csv', content: PNG, contentType: 'text/csv' },
      ],
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'unsupported_media_type', detected: 'png' });
    expect(await readdir(path.join(t.dataDir, 'objects', 'jobs')).catch(() => [])).toEqual([]);
  });

  it('answers 415 for a body that is not multipart', async () => {
    const t = await buildTestApp();
    const res = await t.app.inject({ method: 'POST', url: '/compare/jobs', payload: { file1: 'x' } });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported_media_type');
  });

  it.each([
    ['options that are not JSON', { options: '{trim:' }, 'options'],
    ['options with an unknown field', { options: JSON.stringify({ trimm: true }) }, 'options'],
    ['options with a wrong type', { options: JSON.stringify({ numericTolerance: 'a' }) }, 'options'],
    ['an unknown field', { colour: 'red' }, 'colour'],
  ])('answers 400 validation_failed for %s', async (_name, fields, path0) => {
    const t = await buildTestApp();
    const res = await upload(t.app, { fields });
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed', type: 'urn:sheetdiff:problem:validation_failed' });
    expect(problem.issues[0].path[0]).toBe(path0);
  });

  it('answers 400 when a file is missing', async () => {
    const t = await buildTestApp();
    const res = await upload(t.app, { files: [{ name: 'file1', filename: 'old.csv', content: OLD_CSV }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([{ path: ['file2'], message: 'required' }]);
  });
});
