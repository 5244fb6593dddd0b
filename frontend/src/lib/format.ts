/** Display helpers shared by the screens. */
import { locale } from '../i18n/index.js';

/** `¥1.50` from fen. */
export function yuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

/** `1.5 MB`, binary units. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** A grouped integer in the current locale (`10,000`). */
export function count(n: number): string {
  return n.toLocaleString(locale.value);
}

/** Time of day with seconds, in the current locale. */
export function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(locale.value, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Date and time, in the current locale. */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(locale.value, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A cell value as text (null → empty). */
export function cell(v: string | number | boolean | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}
