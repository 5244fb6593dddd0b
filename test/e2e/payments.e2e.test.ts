/**
 * Paying in the web app, in real Chromium against the real service and the dev payment
 * provider: a balance topped up through a dev payment order pays a job, which is then
 * downloaded; an expired payment code turns into an offer of a new one (and of the balance).
 * Screenshots land in test-results/e2e/payments/.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentOrderSchema, ProfileSchema } from '../../src/contracts/billing.js';
import { readTable } from '../../src/sheets/read-table.js';
import { startService, waitFor, type RunningService } from '../helpers/service.js';
import { buildWebApp, freshShots, launch, type Browser } from './browser.js';
import { productLists } from './data.js';

let webDir: string;
let files: string;
let shots: string;
const services: RunningService[] = [];

beforeAll(async () => {
  shots = await freshShots('payments');
  webDir = await buildWebApp();
  files = await mkdtemp(join(tmpdir(), 'sheetdiff-e2e-files-'));
}, 180_000);
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await rm(files, { recursive: true, force: true });
});

async function service(env: Record<string, string> = {}): Promise<RunningService> {
  const svc = await startService({ SERVE_WEB_APP: 'true', WEB_APP_DIR: webDir, FREE_ROWS: '0', PRICE_BASE_FEN: '100', ...env }, undefined, { readyTimeoutMs: 150_000 });
  services.push(svc);
  return svc;
}

/** Tops up the browser's account through a dev payment order, paid on the dev payment page. */
async function topUp(b: Browser, page: Page, svc: RunningService, amount: number, shot?: string): Promise<void> {
  const res = await page.request.post(`${svc.baseUrl}/api/v1/billing/pending`, { data: { amount }, headers: { 'idempotency-key': randomUUID() } });
  expect(res.status()).toBe(201);
  const order = PaymentOrderSchema.parse(await res.json());
  const payPage = await b.context.newPage();
  await payPage.goto(order.codeUrl);
  if (shot) await b.shot(payPage, shot);
  await payPage.getByRole('button', { name: /^Pay/ }).click();
  await payPage.getByText('Payment sent').waitFor();
  await payPage.close();
  await waitFor(async () => {
    const profile = ProfileSchema.parse(await (await page.request.get(`${svc.baseUrl}/api/v1/profile`)).json());
    return profile.balance >= amount ? true : undefined;
  }, 30_000, 'the top-up to reach the balance');
}

/** Uploads a pair from the new-comparison page with the suggested key; resolves on the job page. */
async function startJob(page: Page, svc: RunningService, rows: number, name: string): Promise<string> {
  const pair = productLists(rows);
  const oldPath = join(files, `${name}-old.csv`);
  const newPath = join(files, `${name}-new.csv`);
  await writeFile(oldPath, pair.old);
  await writeFile(newPath, pair.new);
  await page.goto(svc.baseUrl);
  await page.setInputFiles('#file-old', oldPath);
  await page.setInputFiles('#file-new', newPath);
  await page.getByRole('button', { name: 'Next: key columns' }).click();
  await page.locator('[data-testid="key-verdict"]', { hasText: 'id is unique' }).waitFor();
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await page.waitForURL(/\/jobs\/[\w-]+$/);
  return page.url().split('/').pop()!;
}

describe('paying in the web app', () => {
  it('pays a job from a balance topped up with the dev provider, then downloads', { timeout: 180_000 }, async () => {
    const svc = await service();
    const b = await launch({ locale: 'en-US', viewport: { width: 1280, height: 900 }, shots });
    try {
      const page = await b.newPage();
      await page.goto(svc.baseUrl);
      await topUp(b, page, svc, 500, '01-dev-payment-page-top-up');
      await page.goto(`${svc.baseUrl}/history`);
      await expect(page.locator('[data-testid="balance"]').textContent()).resolves.toBe('Balance: ¥5.00');
      await b.shot(page, '02-history-with-balance');

      await startJob(page, svc, 500, 'balance');
      await page.locator('[data-testid="status"]', { hasText: 'Awaiting payment' }).waitFor({ timeout: 60_000 });
      const price = (await page.locator('[data-testid="price"]').textContent())!;
      const button = page.locator('[data-testid="pay-balance"]');
      await expect(button.textContent()).resolves.toContain(`Pay ${price} from my balance (¥5.00)`);
      await b.shot(page, '03-pay-from-balance-offered');
      await button.click();
      await page.locator('[data-testid="paid"]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="download-xlsx"]').waitFor({ timeout: 60_000 });
      await b.shot(page, '04-paid-from-balance-ready');

      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="download-xlsx"]').click()]);
      const path = join(files, 'balance.xlsx');
      await download.saveAs(path);
      const diff = await readTable(path, 'xlsx', { sheet: 'Diff', maxRows: 10_000 });
      const expected = productLists(500).expected;
      expect(diff.rows.filter((r) => r[0] === 'changed')).toHaveLength(expected.changed);
      expect(diff.rows).toHaveLength(expected.added + expected.removed + expected.changed);

      await page.getByRole('link', { name: 'History' }).click();
      const left = 500 - Math.round(Number(price.replace('¥', '')) * 100);
      await page.locator('[data-testid="balance"]', { hasText: `Balance: ¥${(left / 100).toFixed(2)}` }).waitFor();
      await b.shot(page, '05-history-after-paying');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('offers a new code once the payment code expired, and the balance still pays', { timeout: 300_000 }, async () => {
    // Orders last one minute; the payment worker closes expired ones within a second.
    const svc = await service({ PAYMENT_ORDER_TTL_MINUTES: '1', PAYMENT_RECONCILE_INTERVAL_MS: '1000', PAYMENT_RECONCILE_AFTER_SECONDS: '0' });
    const b = await launch({ locale: 'en-US', viewport: { width: 1280, height: 900 }, shots });
    try {
      const page = await b.newPage();
      await page.goto(svc.baseUrl);
      const jobId = await startJob(page, svc, 300, 'expiry');
      await page.locator('[data-testid="qr"] svg').waitFor({ timeout: 60_000 });
      const firstCode = await page.locator('[data-testid="qr"]').getAttribute('data-code-url');
      await b.shot(page, '06-qr-before-expiry');

      // The page's own clock sees the code expire first …
      await page.locator('[data-testid="qr-expired"]').waitFor({ timeout: 75_000 });
      await expect(page.locator('[data-testid="qr"]').count()).resolves.toBe(0);
      // … then the worker closes the order: the job is back in `compared`, on the timeline too.
      await page.locator('[data-testid="status"]', { hasText: 'Compared' }).waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="timeline"] li', { hasText: 'Payment code expired' }).waitFor();
      await page.locator('[data-testid="new-code"]').waitFor();
      await expect(page.locator('[data-testid="price"]').textContent()).resolves.toMatch(/^¥\d+\.\d\d$/);
      await b.shot(page, '07-code-expired-new-code-offered');

      // "Get a new QR code" asks POST /compare/jobs/{id}/payment, without a body.
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.url().endsWith(`/api/v1/compare/jobs/${jobId}/payment`)),
        page.locator('[data-testid="new-code"]').click(),
      ]);
      expect(request.method()).toBe('POST');
      expect(request.postData()).toBeNull();
      // The payment worker opens the next order: a new, different QR code on the same page.
      await page.locator('[data-testid="status"]', { hasText: 'Awaiting payment' }).waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="qr"] svg').waitFor({ timeout: 30_000 });
      const secondCode = await page.locator('[data-testid="qr"]').getAttribute('data-code-url');
      expect(secondCode).toBeTruthy();
      expect(secondCode).not.toBe(firstCode);
      await b.shot(page, '07b-new-code');

      // The balance pays a job whose order expired.
      await topUp(b, page, svc, 1000);
      await page.reload();
      await page.locator('[data-testid="pay-balance"]').click();
      await page.locator('[data-testid="download-xlsx"]').waitFor({ timeout: 60_000 });
      await b.shot(page, '08-expired-then-paid-from-balance');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
