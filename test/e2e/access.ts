/**
 * Accessibility checks run in the page: WCAG 2.1 text contrast of everything visible, and
 * keyboard moves (Tab until an element has the focus, and whether the focus is drawn).
 */
import type { Page } from 'playwright-core';

export interface ContrastProblem {
  text: string;
  ratio: number;
  needed: number;
  color: string;
  background: string;
}

/**
 * Every visible text (not disabled, not visually hidden) whose contrast with the background
 * behind it is below WCAG AA: 4.5:1, or 3:1 for large text (24px, or 18.66px bold). The
 * background is the stack of ancestors' background colours composited over white; opacity
 * along the way fades the text into it.
 */
export function contrastProblems(page: Page): Promise<ContrastProblem[]> {
  return page.evaluate(() => {
    type RGBA = [number, number, number, number];
    const parse = (c: string): RGBA | null => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return null;
      const p = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
    };
    const over = (top: RGBA, under: RGBA): RGBA => [0, 1, 2].map((i) => top[i]! * top[3] + under[i]! * (1 - top[3])).concat(1) as RGBA;
    const lum = (c: RGBA) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const out: ContrastProblem[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent?.trim()) continue;
      seen.add(el);
      if (el.closest('script, style, noscript, option, svg, :disabled, [aria-disabled="true"]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility !== 'visible') continue;
      let opacity = 1;
      const layers: RGBA[] = [];
      let opaque = false;
      for (let e: Element | null = el; e; e = e.parentElement) {
        const s = getComputedStyle(e);
        opacity *= Number(s.opacity);
        const bg = parse(s.backgroundColor);
        if (!opaque && bg && bg[3] > 0) {
          layers.push(bg);
          opaque = bg[3] >= 1;
        }
      }
      if (opacity === 0) continue;
      let background: RGBA = [255, 255, 255, 1];
      for (const l of layers.reverse()) background = over(l, background);
      const text = parse(cs.color)!;
      const shown = over([text[0], text[1], text[2], text[3] * opacity], background);
      const [a, b] = [lum(shown), lum(background)].sort((x, y) => y - x);
      const ratio = (a! + 0.05) / (b! + 0.05);
      const size = parseFloat(cs.fontSize);
      const needed = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700) ? 3 : 4.5;
      if (ratio < needed) out.push({ text: n.textContent.trim().slice(0, 60), ratio: Math.round(ratio * 100) / 100, needed, color: cs.color, background: `rgb(${background.slice(0, 3).map(Math.round).join(' ')})` });
    }
    return out;
  });
}

/** Presses Tab (Shift+Tab with `back`) at most `max` times until the focused element matches `selector`. */
export async function tabTo(page: Page, selector: string, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  const max = opts.max ?? 80;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}

/**
 * `true` when the focused element draws a focus ring (an outline or a box shadow); otherwise what
 * has the focus and how it is drawn, so a failing `toBe(true)` says why.
 */
export function focusIsVisible(page: Page): Promise<true | string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return `no element has the focus (document focused: ${document.hasFocus()})`;
    const s = getComputedStyle(el);
    if ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none') return true;
    return `${el.outerHTML.slice(0, 160)} has no ring (outline ${s.outlineStyle} ${s.outlineWidth}, shadow ${s.boxShadow}, :focus-visible ${el.matches(':focus-visible')})`;
  });
}
