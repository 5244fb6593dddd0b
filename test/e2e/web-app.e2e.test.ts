/**
 * The web app end to end, in real Chromium against the real service (API serving the built app,
 * compare/payment/export workers, Redis, the dev payment provider): upload → key assistant →
 * progress → paged preview of 10k changes → pay → download, both downloads re-read; the history
 * from /profile. Screenshots of every step land in test-results/e2e/.
 */
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../src/sheets/read-table.js';
import { launch } from './browser.js';
import { useWebService } from './setup.js';
import { productLists } from './data.js';

const web = useWebService('flow');

describe('web app', () => {
  it('runs the whole flow on two 10k-row files with 10k changes, with no console errors', { timeout: 300_000 }, async () => {
    // Every kept row changes: 9,897 changed + 103 removed + 100 added = 10,100 changes.
    const pair = productLists(10_000, 1);
    const total = pair.expected.added + pair.expected.removed + pair.expected.changed;
    expect(total).toBeGreaterThanOrEqual(10_000);
    const oldPath = await web.write('products-2024.csv', pair.old);
    const newPath = await web.write('products-2025.csv', pair.new);
    const b = await launch({ locale: 'en-US', viewport: { width: 1280, height: 900 }, shots: web.shots });
    try {
      const page = await b.newPage();
      const scripts: Promise<number>[] = [];
      page.on('response', (res) => {
        if (res.url().endsWith('.js')) scripts.push(res.body().then((body) => gzipSync(body, { level: 9 }).length));
      });
      await page.goto(web.svc.baseUrl, { waitUntil: 'networkidle' });
      const firstLoadJs = (await Promise.all(scripts)).reduce((a, n) => a + n, 0);
      console.log(`first load: ${scripts.length} JS files, ${(firstLoadJs / 1024).toFixed(1)} KB gzipped`);
      expect(firstLoadJs).toBeGreaterThan(10_000);
      expect(firstLoadJs).toBeLessThanOrEqual(150 * 1024);
      await expect(page.locator('h1').textContent()).resolves.toBe('See what changed between two spreadsheets');
      await b.shot(page, '01-upload-empty-en');

      await page.setInputFiles('#file-old', oldPath);
      await page.setInputFiles('#file-new', newPath);
      await page.getByText('products-2025.csv').waitFor();
      await b.shot(page, '02-files-chosen');

      // The key assistant reads both files on the server and suggests `id`.
      await page.getByRole('button', { name: 'Next: key columns' }).click();
      await page.locator('[data-testid="key-columns"]').waitFor();
      await expect.poll(() => page.locator('input[name="key"]').inputValue()).toBe('id');
      await expect(page.locator('#key-col-A').isChecked()).resolves.toBe(true);
      await expect(page.locator('[data-testid="rows-note"]').textContent()).resolves.toBe(
        'products-2024.csv: sheet “Sheet1”, 10,000 rows · products-2025.csv: sheet “Sheet1”, 9,997 rows',
      );
      await page.locator('[data-testid="key-verdict"]', { hasText: 'id is unique and filled in both files' }).waitFor();
      // `city` repeats: ticking it as the key lists its duplicate groups (asked from the server).
      await page.locator('#key-col-A').uncheck();
      await page.locator('#key-col-C').check();
      await page.locator('[data-testid="duplicates"] li').first().waitFor();
      await expect(page.locator('[data-testid="key-verdict"]').textContent()).resolves.toContain('city repeats');
      await b.shot(page, '03-key-assistant-duplicates');
      await page.locator('[data-testid="suggested-keys"] button', { hasText: 'id' }).click();
      await expect.poll(() => page.locator('input[name="key"]').inputValue()).toBe('id');
      await page.getByText('Comparison options').click();
      await b.shot(page, '04-key-and-options');

      const pageRequests: number[] = [];
      page.on('request', (req) => {
        const m = /\/preview\?page=(\d+)$/.exec(req.url());
        if (m) pageRequests.push(Number(m[1]));
      });
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await page.waitForURL(/\/jobs\/[\w-]+$/);
      const jobId = page.url().split('/').pop()!;
      await page.locator('[data-testid="timeline"]').waitFor();
      await b.shot(page, '05-progress');

      await page.locator('[data-testid="status"]', { hasText: 'Awaiting payment' }).waitFor({ timeout: 120_000 });
      await page.locator('[data-testid="preview-row"]').first().waitFor();
      const tiles = await page.locator('.tile .tile-n').allTextContents();
      expect(tiles.slice(0, 3)).toEqual([pair.expected.added, pair.expected.removed, pair.expected.changed].map((n) => n.toLocaleString('en')));
      await expect(page.locator('[data-testid="preview-count"]').textContent()).resolves.toContain(`${total.toLocaleString('en')} changed rows`);
      await page.locator('[data-testid="qr"] svg').waitFor();
      await b.shot(page, '06-preview-and-payment');

      // Reopened, the page replays the job's whole history (the compare's progress included) and
      // never shows the job at an earlier stage meanwhile: every status the page shows is recorded.
      await page.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { statusesShown: string[] }).statusesShown = seen;
        new MutationObserver(() => {
          const s = document.querySelector('[data-testid="status"]')?.textContent ?? '';
          if (s && seen.at(-1) !== s) seen.push(s);
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      await page.reload();
      // The replay reached the payment order (its time shows), and the pay link stayed.
      await page.locator('[data-testid="timeline"] li:nth-child(4) time').waitFor();
      await page.locator('[data-testid="pay-link"]').waitFor();
      await expect(page.evaluate(() => (window as unknown as { statusesShown: string[] }).statusesShown)).resolves.toEqual(['Awaiting payment']);

      // The preview pages through all 10,100 changes from the API while < 200 rows are in the DOM.
      const scroller = page.locator('[data-testid="preview-scroll"]');
      for (const fraction of [0.25, 0.5, 0.75, 1]) {
        await scroller.evaluate((el, f) => (el.scrollTop = f * (el.scrollHeight - el.clientHeight)), fraction);
        // Rows around the new position are in the DOM, and none is still waiting for its page.
        await page.waitForFunction((target) => {
          const rows = [...document.querySelectorAll('.preview-row')];
          return rows.length > 10 && !rows.some((r) => r.classList.contains('loading')) && rows.some((r) => Math.abs(Number(r.getAttribute('aria-rowindex')) - target) < 60);
        }, Math.round(fraction * total));
        const n = await page.locator('[data-testid="preview-row"]').count();
        expect(n, `rows in the DOM at ${fraction * 100}%`).toBeLessThan(200);
      }
      const last = page.locator(`[data-testid="preview-row"][aria-rowindex="${total + 1}"]`);
      await expect(last.getAttribute('data-key')).resolves.toBe('10100');
      await expect(last.getAttribute('class')).resolves.toContain('added');
      // Only the pages scrolled to were fetched (page 0 came first, without scrolling).
      expect(new Set(pageRequests).size).toBeLessThan(Math.ceil(total / 500));
      expect(pageRequests).toContain(Math.ceil(total / 500) - 1);
      await b.shot(page, '07-preview-scrolled-to-the-end');
      await scroller.evaluate((el) => (el.scrollTop = 25 * 34));
      await page.locator('[data-testid="preview-row"][data-key="31"] .changed-cell', { hasText: '31 32' }).waitFor();

      const codeUrl = (await page.locator('[data-testid="pay-link"]').getAttribute('href'))!;
      expect(codeUrl).toMatch(new RegExp(`^${web.svc.baseUrl}/dev/pay/`));
      const payPage = await b.context.newPage();
      await payPage.goto(codeUrl);
      await b.shot(payPage, '08-dev-payment-page');
      await payPage.getByRole('button', { name: /^Pay/ }).click();
      await payPage.getByText('Payment sent').waitFor();
      await payPage.close();

      // The job page turns to paid and ready by itself (SSE), without a reload.
      await page.locator('[data-testid="paid"]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="download-xlsx"]').waitFor({ timeout: 60_000 });
      expect(await page.locator('[data-testid="timeline"] li.done').count()).toBe(7);
      await b.shot(page, '09-paid-ready');

      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="download-xlsx"]').click()]);
      const xlsxPath = join(web.files, 'downloaded.xlsx');
      await download.saveAs(xlsxPath);
      const diff = await readTable(xlsxPath, 'xlsx', { sheet: 'Diff', maxRows: 100_000 });
      const byType = new Map<string, number>();
      for (const r of diff.rows) byType.set(String(r[0]), (byType.get(String(r[0])) ?? 0) + 1);
      expect(Object.fromEntries(byType)).toEqual(pair.expected);
      const [idCol, qtyCol] = ['id', 'qty'].map((h) => diff.header.indexOf(h));
      const row31 = diff.rows.find((r) => String(r[idCol!]) === '31')!;
      expect(String(row31[qtyCol!])).toMatch(/^32\D+31$/);

      const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="download-csv"]').click()]);
      expect(csv.suggestedFilename()).toBe('diff-products-2024-vs-products-2025.csv');
      const csvPath = join(web.files, 'downloaded.csv');
      await csv.saveAs(csvPath);
      const lines = (await readFile(csvPath, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
      expect(lines[0]).toBe('change,key,column,old,new');
      expect(lines).toContain('changed,31,qty,31,32');
      expect(lines.filter((l) => l.startsWith('added,'))).toHaveLength(pair.expected.added);

      // History comes from GET /profile: the job with its status, and the balance.
      await page.getByRole('link', { name: 'History' }).click();
      const entry = page.locator(`[data-testid="history"] a[href="/jobs/${jobId}"]`);
      await entry.waitFor();
      await expect(entry.locator('.status').textContent()).resolves.toBe('Ready');
      await expect(page.locator('[data-testid="balance"]').textContent()).resolves.toBe('Balance: ¥0.00');
      await b.shot(page, '10-history');
      await entry.click();
      await page.locator('[data-testid="download-xlsx"]').waitFor();
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
