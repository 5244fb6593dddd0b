/**
 * Two languages, switchable: the choice is kept in localStorage, the default follows the
 * browser (any `zh*` → Simplified Chinese, else English).
 */
import { ref } from 'vue';
import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: { id: Locale; label: string }[] = [
  { id: 'zh-CN', label: '中文' },
  { id: 'en', label: 'English' },
];
const STORAGE_KEY = 'sheetdiff.locale';
const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** Picks the locale from a stored choice, then the browser's languages. */
export function detectLocale(stored: string | null, languages: readonly string[]): Locale {
  if (stored === 'en' || stored === 'zh-CN') return stored;
  for (const lang of languages) {
    const l = lang.toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export const locale = ref<Locale>(detectLocale(readStored(), typeof navigator === 'undefined' ? [] : navigator.languages));

export function setLocale(next: Locale): void {
  locale.value = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

/** Translates `key`, filling `{name}` placeholders; reactive through `locale`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = MESSAGES[locale.value][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export type { MessageKey };
