import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en.js';
import { detectLocale, locale, setLocale, t } from '../src/i18n/index.js';
import { zhCN } from '../src/i18n/zh-CN.js';
import { JOB_EVENT_TYPES } from '../../src/contracts/index.js';

describe('i18n', () => {
  it('defaults to the browser language, a stored choice wins', () => {
    expect(detectLocale(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(detectLocale(null, ['de-DE', 'en-GB'])).toBe('en');
    expect(detectLocale(null, ['fr'])).toBe('en');
    expect(detectLocale('en', ['zh-CN'])).toBe('en');
  });

  it('has every message in both languages, with the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(zhCN[key], key).toBeTruthy();
      expect(holes(zhCN[key]), key).toEqual(holes(en[key]));
    }
  });

  it('names every event type of the job history', () => {
    for (const type of JOB_EVENT_TYPES) expect(en, type).toHaveProperty(`event.${type}`);
  });

  it('switches language and fills placeholders', () => {
    setLocale('en');
    expect(t('pay.expires', { time: '10:00' })).toBe('Expires at 10:00');
    setLocale('zh-CN');
    expect(locale.value).toBe('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(t('upload.sending', { percent: 42 })).toBe('正在上传… 42%');
  });
});
