import { afterEach, describe, expect, it } from 'vitest';
import { reactive } from 'vue';
import KeyAssistant from '../src/components/KeyAssistant.vue';
import KeyStep from '../src/components/KeyStep.vue';
import { setLocale } from '../src/i18n/index.js';
import { inspectInput } from '../src/lib/inspect-input.js';
import { keyColumnRows, keyVerdict, parseKey, percent, sameKey } from '../src/lib/key-columns.js';
import { defaultOptionsForm, toUploadFields } from '../src/lib/options-form.js';
import { keyReport } from './fixtures.js';
import { flush, mount } from './mount.js';

afterEach(() => setLocale('en'));

describe('key columns', () => {
  it('joins both files per column and tells which can be a key alone', () => {
    const rows = keyColumnRows(keyReport());
    expect(rows.map((r) => [r.name, r.inAll, r.keyAlone, r.profiles.map((p) => p?.uniqueness)])).toEqual([
      ['id', true, true, [1, 1]],
      ['name', true, false, [0.8, 0.75]],
      ['qty', false, false, [0.5, undefined]],
    ]);
  });

  it('judges a key from the report, and knows when it says nothing about it', () => {
    const r = keyReport();
    expect(keyVerdict(r, ['ID'])).toBe('unique');
    expect(keyVerdict(r, ['name'])).toBe('duplicates');
    expect(keyVerdict(keyReport({ duplicates: [[], []] }), ['name'])).toBe('clean');
    expect(keyVerdict(r, ['qty'])).toBe('unknown');
    expect(keyVerdict(r, [])).toBe('unknown');
    expect(parseKey(' id , region,')).toEqual(['id', 'region']);
    expect(sameKey(['Id', 'x'], ['id', 'X '])).toBe(true);
    expect([1, 0.9999, 0.5, 0.0007, 0].map(percent)).toEqual(['100%', '99.9%', '50%', '<0.1%', '0%']);
  });
});

describe('inspectInput', () => {
  it('sends workbooks and small text files whole, the start of a large CSV cut at a line end', async () => {
    const small = new File(['id\n1\n'], 'a.csv');
    expect(await inspectInput(small, 100)).toEqual({ blob: small, sampled: false });
    const book = new File([new Uint8Array(300)], 'a.xlsx');
    expect((await inspectInput(book, 100)).blob.size).toBe(300);
    const big = new File([`id,v\n${'12345,abcdefgh\n'.repeat(20)}`], 'big.csv');
    const cut = await inspectInput(big, 100);
    expect(cut.sampled).toBe(true);
    const text = await cut.blob.text();
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').slice(1, -1).every((l) => l === '12345,abcdefgh')).toBe(true);
  });
});

describe('options form', () => {
  it('sends only what differs from the API defaults', () => {
    expect(toUploadFields(defaultOptionsForm())).toEqual({ key: [], options: {} });
    const f = { ...defaultOptionsForm(), key: 'id, region', sheet: 'Orders', headerRow: 3 as const, relativeTolerance: 0.01, excelDates: true, ignoreColumns: 'note' };
    expect(toUploadFields(f)).toEqual({ key: ['id', 'region'], options: { sheet: 'Orders', headerRow: 3, relativeTolerance: 0.01, excelDates: true, ignoreColumns: ['note'] } });
  });
});

describe('KeyAssistant', () => {
  it('shows the columns with their figures, suggested keys and the chosen key verdict', async () => {
    const chosen: string[][] = [];
    const el = await mount(KeyAssistant, { report: keyReport(), chosen: ['id'], names: ['old.xlsx', 'new.xlsx'], sampled: false, checking: false, onChoose: (k: string[]) => chosen.push(k) });
    const cells = [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('th, td.num')].map((c) => c.textContent?.replace(/\s+/g, ' ').trim()));
    expect(cells).toEqual([
      ['A id unique', '100%100%', '100%100%'],
      ['B name', '80%75%', '100%100%'],
      ['C qty · not in both files', '50%—', '90%—'],
    ]);
    expect((el.querySelector('#key-col-A') as HTMLInputElement).checked).toBe(true);
    expect((el.querySelector('#key-col-C') as HTMLInputElement).disabled).toBe(true);
    expect(el.querySelector('[data-testid="key-verdict"]')?.textContent).toContain('id is unique and filled in both files');
    expect(el.querySelector('[data-testid="rows-note"]')?.textContent).toBe('old.xlsx: sheet “Orders”, 10 rows · new.xlsx: sheet “Orders”, 11 rows');

    (el.querySelector('#key-col-B') as HTMLInputElement).click();
    (el.querySelector('[data-testid="suggested-keys"] button') as HTMLButtonElement).click();
    expect(chosen).toEqual([['id', 'name'], ['id']]);
  });

  it('lists the duplicate groups of a repeating key', async () => {
    const el = await mount(KeyAssistant, { report: keyReport(), chosen: ['name'], names: ['old.csv', 'new.csv'], sampled: true, checking: false });
    expect(el.querySelector('[data-testid="key-verdict"]')?.textContent).toContain('name repeats');
    expect(el.querySelector('[data-testid="duplicates"] li')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('pear 2 rows: 3, 7');
    expect(el.querySelector('[data-testid="rows-note"]')?.textContent).toContain('first 10 rows checked');
  });
});

describe('KeyStep', () => {
  it('offers the sheets of the workbook, first by default, and fills the key from the table', async () => {
    setLocale('zh-CN');
    const form = reactive(defaultOptionsForm());
    const el = await mount(KeyStep, { form, report: keyReport(), loading: false, error: null, sampled: false, names: ['旧.xlsx', '新.xlsx'] });
    const options = [...el.querySelectorAll('[data-testid="sheet"] option')].map((o) => [o.getAttribute('value'), o.textContent]);
    expect(options).toEqual([['', 'Orders（第一个工作表）'], ['Notes', 'Notes']]);
    (el.querySelector('#key-col-A') as HTMLInputElement).click();
    await flush();
    expect(form.key).toBe('id');
    expect(el.textContent).toContain('是合适的主键');
  });

  it('shows the assistant error and no sheet choice for a single-sheet file', async () => {
    const report = keyReport();
    report.files.forEach((f) => (f.sheets = ['Sheet1']));
    const el = await mount(KeyStep, { form: reactive(defaultOptionsForm()), report, loading: false, error: 'bad file', sampled: false, names: ['a.csv', 'b.csv'] });
    expect(el.querySelector('[data-testid="sheet"]')).toBeNull();
    expect(el.querySelector('[data-testid="inspect-error"]')?.textContent).toBe('bad file');
    expect(el.querySelector('[data-testid="no-key"]')).not.toBeNull();
  });
});
