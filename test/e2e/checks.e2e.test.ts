/**
 * The web app's other promises, in real Chromium against the real service: upload errors
 * (oversized, password-protected) before and after sending; Simplified Chinese by default in a
 * zh browser, English on demand, at phone width; keyboard use and readable contrast.
 * Screenshots land in test-results/e2e/checks/.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { contrastProblems, focusIsVisible, tabTo } from './access.js';
import { launch } from './browser.js';
import { useWebService } from './setup.js';
import { productLists } from './data.js';

const MAX_UPLOAD = 2 * 1024 * 1024;
const CORPUS = new URL('../../../shared/corpus/', import.meta.url).pathname;
const web = useWebService('checks', { MAX_UPLOAD_BYTES: String(MAX_UPLOAD) });

const desktop = { width: 1280, height: 900 };

describe('web app checks', () => {
  // Its encrypted workbooks come from ../shared/corpus, like the other corpus tests (skipped without it).
  it.skipIf(!existsSync(CORPUS))('explains oversized and password-protected uploads, before and after sending', { timeout: 180_000 }, async () => {
    const b = await launch({ locale: 'en-US', viewport: desktop, shots: web.shots });
    try {
      const page = await b.newPage();
      await page.goto(web.svc.baseUrl);
      const big = await web.write('huge.csv', `id,v\n${'1,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n'.repeat(Math.ceil((MAX_UPLOAD * 1.2) / 33))}`);
      await page.setInputFiles('#file-old', big);
      await page.getByText(/huge\.csv is .* larger than the limit of 2\.0 MB/).waitFor();
      await page.setInputFiles('#file-new', join(CORPUS, 'poi/poifs/protect.xlsx'));
      await page.getByText('protect.xlsx is password-protected').waitFor();
      await expect(page.getByRole('button', { name: 'Next: key columns' }).isDisabled()).resolves.toBe(true);
      await b.shot(page, '01-errors-before-sending');

      // Without the limit in the page (as behind a proxy that does not fill it), the API's 413 is
      // shown: first by the key assistant, then by the upload itself.
      await page.route(web.svc.baseUrl + '/', async (route) => {
        const res = await route.fetch();
        await route.fulfill({ response: res, body: (await res.text()).replace(/content="\d+"/, 'content=""') });
      });
      await page.reload();
      await page.setInputFiles('#file-old', big);
      await page.setInputFiles('#file-new', await web.write('small.csv', 'id,v\n1,a\n'));
      await page.getByRole('button', { name: 'Next: key columns' }).click();
      await page.locator('[data-testid="inspect-error"]', { hasText: 'larger than the limit of 2.0 MB' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await page.locator('[data-testid="upload-error"]', { hasText: 'larger than the limit of 2.0 MB' }).waitFor({ timeout: 30_000 });
      await b.shot(page, '02-error-413-after-sending');

      // An encrypted .xls looks like any .xls by its name and first bytes: the key assistant
      // opens it and says so; sent anyway, the job fails with the same reason.
      await page.unrouteAll();
      await page.goto(web.svc.baseUrl);
      await page.setInputFiles('#file-old', join(CORPUS, 'poi/spreadsheet/password.xls'));
      await page.setInputFiles('#file-new', await web.write('plain.csv', 'id,v\n1,a\n'));
      await page.getByRole('button', { name: 'Next: key columns' }).click();
      await page.locator('[data-testid="inspect-error"]', { hasText: 'password.xls / plain.csv is password-protected' }).waitFor({ timeout: 30_000 });
      await b.shot(page, '03-error-password-key-step');
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await page.locator('[data-testid="job-error"]', { hasText: /password/i }).waitFor({ timeout: 60_000 });
      await b.shot(page, '04-error-password-after-sending');
      // The refused requests (413, 422) are logged by the browser as failed resources; nothing else may be.
      expect(b.errors.filter((e) => !/status of (413|422)/.test(e))).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('speaks Simplified Chinese by default in a zh-CN browser, switches to English, fits a phone', { timeout: 180_000 }, async () => {
    const b = await launch({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, shots: web.shots });
    try {
      const page = await b.newPage();
      const noSideScroll = async (where: string) => {
        const overflow = await page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
        expect(overflow, `no horizontal scrolling at phone width: ${where}`).toBeLessThanOrEqual(0);
      };
      await page.goto(web.svc.baseUrl);
      await expect(page.locator('h1').textContent()).resolves.toBe('一眼看清两份表格的差异');
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
      await b.shot(page, '05-upload-zh-CN-phone');
      const pair = productLists(200);
      await page.setInputFiles('#file-old', await web.write('旧.csv', pair.old));
      await page.setInputFiles('#file-new', await web.write('新.csv', pair.new));
      await page.getByRole('button', { name: '下一步：选择主键' }).click();
      await page.locator('[data-testid="key-verdict"]', { hasText: 'id 在两份文件中都唯一且完整' }).waitFor();
      await noSideScroll('key step');
      await b.shot(page, '06-key-zh-CN-phone');
      await page.getByRole('button', { name: '开始比对' }).click();
      await page.locator('[data-testid="status"]', { hasText: '等待支付' }).waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="qr"] svg').waitFor();
      await page.locator('[data-testid="preview-row"]').first().waitFor();
      await noSideScroll('job page');
      await b.shot(page, '07-job-zh-CN-phone');

      await page.locator('.lang select').selectOption('en');
      await page.locator('[data-testid="status"]', { hasText: 'Awaiting payment' }).waitFor();
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
      await page.reload();
      await page.locator('[data-testid="status"]', { hasText: 'Awaiting payment' }).waitFor();
      await b.shot(page, '08-job-en-phone');
      expect(await contrastProblems(page)).toEqual([]);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('can be used with the keyboard alone, with a visible focus and readable contrast', { timeout: 180_000 }, async () => {
    const b = await launch({ locale: 'en-US', viewport: desktop, shots: web.shots });
    try {
      const page = await b.newPage();
      const contrast: unknown[] = [];
      const check = async (where: string) => contrast.push(...(await contrastProblems(page)).map((p) => ({ where, ...p })));
      const pick = async (button: string, path: string) => {
        await tabTo(page, button);
        expect(await focusIsVisible(page), `focus ring on ${button}`).toBe(true);
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
        await chooser.setFiles(path);
      };
      // Intercept file choosers from the start (turning it on is itself asynchronous).
      page.on('filechooser', () => undefined);
      await page.goto(web.svc.baseUrl);
      await check('upload page');
      const pair = productLists(300);
      await pick('.drops > .drop:nth-child(1) button', await web.write('old.csv', pair.old));
      await page.getByText('old.csv').waitFor();
      await pick('.drops > .drop:nth-child(3) button', await web.write('new.csv', pair.new));
      await page.getByText('new.csv').waitFor();
      await b.shot(page, '09-keyboard-files');
      await tabTo(page, 'button[type="submit"]');
      await page.keyboard.press('Enter');

      await page.locator('[data-testid="key-verdict"]', { hasText: 'id is unique' }).waitFor();
      await tabTo(page, '#key-col-A');
      expect(await focusIsVisible(page)).toBe(true);
      await page.keyboard.press('Space');
      await page.locator('[data-testid="no-key"]').waitFor();
      await tabTo(page, '#key-col-C');
      await page.keyboard.press('Space');
      await expect.poll(() => page.locator('input[name="key"]').inputValue()).toBe('city');
      await page.locator('[data-testid="duplicates"]').first().waitFor();
      await check('key step with duplicates');
      await b.shot(page, '10-keyboard-key-step');
      await tabTo(page, '[data-testid="suggested-keys"] button:first-of-type', { back: true });
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('input[name="key"]').inputValue()).toBe('id');
      await tabTo(page, 'details.options summary');
      await page.keyboard.press('Enter');
      await expect(page.locator('details.options').getAttribute('open')).resolves.toBe('');
      await tabTo(page, 'button[type="submit"]');
      await page.keyboard.press('Enter');

      await page.locator('[data-testid="status"]', { hasText: 'Awaiting payment' }).waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="preview-row"]').first().waitFor();
      await tabTo(page, '[data-testid="pay-link"]');
      expect(await focusIsVisible(page)).toBe(true);
      await tabTo(page, '[data-testid="preview-scroll"]');
      expect(await focusIsVisible(page)).toBe(true);
      await page.keyboard.press('End');
      await page.waitForFunction(() => (document.querySelector('[data-testid="preview-scroll"]')?.scrollTop ?? 0) > 0);
      await check('job page');
      await b.shot(page, '11-keyboard-job-page');
      await checkLanguageByKeyboard(page);
      expect(contrast).toEqual([]);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });
});

/** The language menu is reachable and works from the keyboard. */
async function checkLanguageByKeyboard(page: Page): Promise<void> {
  await page.keyboard.press('Shift+Tab');
  await tabTo(page, '.lang select');
  await page.keyboard.press('ArrowUp');
  await page.locator('[data-testid="status"]', { hasText: '等待支付' }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.locator('[data-testid="status"]', { hasText: 'Awaiting payment' }).waitFor();
}
