import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import FileDrop from '../src/components/FileDrop.vue';
import JobTimeline from '../src/components/JobTimeline.vue';
import PaymentPanel from '../src/components/PaymentPanel.vue';
import PreviewTable from '../src/components/PreviewTable.vue';
import SummaryPanel from '../src/components/SummaryPanel.vue';
import { setLocale } from '../src/i18n/index.js';
import { event, jobView, preview } from './fixtures.js';
import { flush, mount } from './mount.js';

afterEach(() => setLocale('en'));

describe('PaymentPanel', () => {
  it('shows the price and a QR code of the payment code_url', async () => {
    setLocale('en');
    const el = await mount(PaymentPanel, { job: jobView() });
    expect(el.querySelector('[data-testid="price"]')?.textContent).toBe('¥1.50');
    expect(el.querySelector('[data-testid="qr"] svg')).not.toBeNull();
    expect(el.querySelector('[data-testid="pay-link"]')?.getAttribute('href')).toBe('http://localhost:8080/dev/pay/ord_1');
    expect(el.textContent).toContain('Waiting for the payment');
  });

  it('turns to paid, and offers a refresh once the code expired', async () => {
    const paid = await mount(PaymentPanel, { job: jobView({ status: 'paid', paid: true }) });
    expect(paid.querySelector('[data-testid="paid"]')?.textContent).toContain('Paid');
    const expired = jobView();
    expired.payment!.expiresAt = new Date(Date.now() - 1000).toISOString();
    const el = await mount(PaymentPanel, { job: expired });
    expect(el.querySelector('[data-testid="qr"]')).toBeNull();
    expect(el.textContent).toContain('expired');
  });

  it('offers the balance only when it covers the price', async () => {
    expect((await mount(PaymentPanel, { job: jobView(), balance: 1000 })).textContent).toContain('from my balance');
    expect((await mount(PaymentPanel, { job: jobView(), balance: 100 })).textContent).not.toContain('from my balance');
  });
});

describe('JobTimeline', () => {
  it('marks reached steps with their times and the current one', async () => {
    const events = [event('created', '2026-01-02T03:04:05Z', 'queued'), event('compare_started', '2026-01-02T03:04:06Z', 'comparing')];
    const el = await mount(JobTimeline, { events, status: 'comparing' });
    const items = [...el.querySelectorAll('li')];
    expect(items).toHaveLength(7);
    expect(items.map((li) => li.className)).toEqual(['done', 'now', 'todo', 'todo', 'todo', 'todo', 'todo']);
    expect(items[0]!.querySelector('time')?.getAttribute('datetime')).toBe('2026-01-02T03:04:05Z');
  });

  it('shows a free job as payment skipped, and a failure at the end', async () => {
    const events = [event('payment_skipped', '2026-01-02T03:04:07Z', 'paid'), event('failed', '2026-01-02T03:04:08Z', 'failed')];
    const el = await mount(JobTimeline, { events, status: 'failed' });
    expect(el.textContent).toContain('Free: no payment needed');
    expect(el.querySelector('li:last-child')?.className).toBe('bad');
  });
});

describe('SummaryPanel', () => {
  it('shows counts per change type and a bar per changed column', async () => {
    const el = await mount(SummaryPanel, { summary: preview(30).summary });
    expect(el.querySelector('.tile.changed .tile-n')?.textContent).toBe('30');
    expect(el.querySelectorAll('.chart li')).toHaveLength(1);
  });
});

describe('PreviewTable', () => {
  it('renders a window of a 10k-row preview, not every row, and follows the scroll', async () => {
    // happy-dom has no layout: give elements the size of a real viewport.
    const height = vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(544);
    const width = vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(960);
    onTestFinished(() => (height.mockRestore(), width.mockRestore()));
    const el = await mount(PreviewTable, { preview: preview(10_000) });
    const rows = () => [...el.querySelectorAll('[data-testid="preview-row"]')];
    expect(rows().length).toBeGreaterThan(10);
    expect(rows().length).toBeLessThan(200);
    expect(el.querySelector('[role="table"]')?.getAttribute('aria-rowcount')).toBe('10001');
    expect(el.querySelector('.changed-cell ins')?.textContent).toBe('2');

    const scroller = el.querySelector('[data-testid="preview-scroll"]') as HTMLElement;
    scroller.scrollTop = 9_990 * 34;
    scroller.dispatchEvent(new Event('scroll'));
    await flush();
    const indexes = rows().map((r) => Number(r.getAttribute('aria-rowindex')));
    expect(Math.max(...indexes)).toBe(10_001);
    expect(rows().length).toBeLessThan(200);
  });
});

describe('FileDrop', () => {
  it('explains a password-protected workbook before sending', async () => {
    const picked: unknown[] = [];
    const el = await mount(FileDrop, { label: 'Old file', file: null, maxBytes: 1000, inputId: 'f', onPick: (f: unknown) => picked.push(f) });
    const input = el.querySelector('input[type="file"]') as HTMLInputElement;
    const file = new File([new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])], 'secret.xlsx');
    Object.defineProperty(input, 'files', { value: [file] });
    input.dispatchEvent(new Event('change'));
    await flush();
    expect(el.querySelector('[role="alert"]')?.textContent).toContain('secret.xlsx is password-protected');
    expect(picked).toEqual([null]);
  });
});
