import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import FileDrop from '../src/components/FileDrop.vue';
import JobTimeline from '../src/components/JobTimeline.vue';
import PaymentPanel from '../src/components/PaymentPanel.vue';
import PreviewTable from '../src/components/PreviewTable.vue';
import SummaryPanel from '../src/components/SummaryPanel.vue';
import { setLocale } from '../src/i18n/index.js';
import { PreviewPager } from '../src/lib/preview-pager.js';
import { event, jobView, preview, previewPages } from './fixtures.js';
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

  it('turns to paid', async () => {
    const paid = await mount(PaymentPanel, { job: jobView({ status: 'paid', paid: true, payment: undefined }) });
    expect(paid.querySelector('[data-testid="paid"]')?.textContent).toContain('Paid');
    expect(paid.querySelector('[data-testid="qr"]')).toBeNull();
  });

  it('offers a new code once the code expired on the clock, and once the order was closed', async () => {
    const expired = jobView();
    expired.payment!.expiresAt = new Date(Date.now() - 1000).toISOString();
    const newCode: unknown[] = [];
    const el = await mount(PaymentPanel, { job: expired, onNewCode: () => newCode.push(1) });
    expect(el.querySelector('[data-testid="qr"]')).toBeNull();
    expect(el.querySelector('[data-testid="qr-expired"]')?.textContent).toContain('expired');
    (el.querySelector('[data-testid="new-code"]') as HTMLButtonElement).click();
    expect(newCode).toHaveLength(1);

    // The worker closed the order: the job is back in `compared`, without payment details.
    const closed = await mount(PaymentPanel, { job: jobView({ status: 'compared', payment: undefined }), orderClosed: true });
    expect(closed.querySelector('[data-testid="price"]')?.textContent).toBe('¥1.50');
    expect(closed.querySelector('[data-testid="new-code"]')).not.toBeNull();
    const busy = await mount(PaymentPanel, { job: jobView({ status: 'compared', payment: undefined }), orderClosed: true, busy: true, problem: 'try later' });
    expect((busy.querySelector('[data-testid="new-code"]') as HTMLButtonElement).disabled).toBe(true);
    expect(busy.querySelector('[data-testid="pay-problem"]')?.textContent).toBe('try later');
  });

  it('says the payment is being prepared while a compared job waits for its order', async () => {
    const el = await mount(PaymentPanel, { job: jobView({ status: 'compared', payment: undefined }) });
    expect(el.querySelector('[data-testid="preparing-payment"]')).not.toBeNull();
    expect(el.querySelector('[data-testid="new-code"]')).toBeNull();
  });

  it('offers the balance only when it covers the price, also after the order expired', async () => {
    expect((await mount(PaymentPanel, { job: jobView(), balance: 1000 })).querySelector('[data-testid="pay-balance"]')?.textContent).toContain('Pay ¥1.50 from my balance (¥10.00)');
    const short = await mount(PaymentPanel, { job: jobView(), balance: 100 });
    expect(short.querySelector('[data-testid="pay-balance"]')).toBeNull();
    expect(short.querySelector('[data-testid="balance-short"]')?.textContent).toContain('¥1.00');
    const closed = await mount(PaymentPanel, { job: jobView({ status: 'compared', payment: undefined }), orderClosed: true, balance: 150 });
    expect(closed.querySelector('[data-testid="pay-balance"]')).not.toBeNull();
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

  it('shows an expired payment code on its step, and the new order once there is one', async () => {
    const base = [event('created', '2026-01-02T03:04:05Z', 'queued'), event('compared', '2026-01-02T03:04:06Z', 'compared'), event('payment_order_created', '2026-01-02T03:04:07Z', 'awaiting_payment')];
    const closed = [...base, event('payment_order_closed', '2026-01-02T03:34:07Z', 'compared')];
    const el = await mount(JobTimeline, { events: closed, status: 'compared' });
    const step = el.querySelectorAll('li')[3]!;
    expect(step.textContent).toContain('Payment code expired');
    expect(step.querySelector('time')?.getAttribute('datetime')).toBe('2026-01-02T03:34:07Z');
    const again = await mount(JobTimeline, { events: [...closed, event('payment_order_created', '2026-01-02T03:35:00Z', 'awaiting_payment')], status: 'awaiting_payment' });
    const now = again.querySelectorAll('li')[3]!;
    expect(now.className).toBe('now');
    expect(now.textContent).toContain('Awaiting payment');
    expect(now.querySelector('time')?.getAttribute('datetime')).toBe('2026-01-02T03:35:00Z');
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
    expect(el.querySelector('[data-testid="column-changes"]')).toBeNull();
  });

  it('lists added and removed columns', async () => {
    const summary = preview(3).summary;
    summary.columns.added = ['colour'];
    summary.columns.removed = ['weight', 'size'];
    const el = await mount(SummaryPanel, { summary });
    const lines = [...el.querySelectorAll('[data-testid="column-changes"] > div')].map((d) => [d.querySelector('dt')?.textContent, [...d.querySelectorAll('.col-chip')].map((c) => c.textContent)]);
    expect(lines).toEqual([['Columns added', ['colour']], ['Columns removed', ['weight', 'size']]]);
  });
});

describe('PreviewTable', () => {
  it('renders a window of 10k changes, fetching only the pages it shows as it scrolls', async () => {
    // happy-dom has no layout: give elements the size of a real viewport.
    const height = vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(544);
    const width = vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(960);
    onTestFinished(() => (height.mockRestore(), width.mockRestore()));
    const pages = previewPages(10_000, 500);
    const asked: number[] = [];
    const pager = new PreviewPager(pages[0]!, async (p) => (asked.push(p), pages[p]!), { settleMs: 0 });
    const el = await mount(PreviewTable, { pager });
    const rows = () => [...el.querySelectorAll('[data-testid="preview-row"]')];
    expect(rows().length).toBeGreaterThan(10);
    expect(rows().length).toBeLessThan(200);
    expect(el.querySelector('[role="table"]')?.getAttribute('aria-rowcount')).toBe('10001');
    expect(el.querySelector('.changed-cell ins')?.textContent).toBe('2');
    expect(asked).toEqual([]);

    const scroller = el.querySelector('[data-testid="preview-scroll"]') as HTMLElement;
    scroller.scrollTop = 9_990 * 34;
    scroller.dispatchEvent(new Event('scroll'));
    await flush();
    await flush();
    expect(asked).toEqual([19]);
    const loaded = rows().filter((r) => r.getAttribute('data-key'));
    expect(Math.max(...loaded.map((r) => Number(r.getAttribute('aria-rowindex'))))).toBe(10_001);
    expect(loaded.at(-1)?.getAttribute('data-key')).toBe('10000');
    expect(rows().length).toBeLessThan(200);
  });

  it('shows placeholders while a page loads and a retry when it fails', async () => {
    const pages = previewPages(2_000, 500);
    let fail = true;
    const pager = new PreviewPager(pages[0]!, async (p) => {
      if (fail) throw new Error('offline');
      return pages[p]!;
    }, { settleMs: 0 });
    const el = await mount(PreviewTable, { pager });
    pager.show(1_200, 1_210);
    await flush();
    expect(el.querySelector('[role="alert"]')?.textContent).toContain('could not be loaded');
    expect(pager.row(1_200)).toBeUndefined();
    fail = false;
    (el.querySelector('[role="alert"] button') as HTMLButtonElement).click();
    await flush();
    expect(pager.row(1_200)?.key).toEqual([1_201]);
    expect(el.querySelector('[role="alert"]')).toBeNull();
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
