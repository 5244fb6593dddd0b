/**
 * Aligns two sequences of row hashes like a text diff (patience anchors, recursively, with an
 * LCS table for small unanchored gaps). `same(i, j)` confirms a hash match byte for byte.
 * Returns, for each row of `b`, the row of `a` it is aligned with, or -1.
 */
export function alignSequences(a: Int32Array, b: Int32Array, same: (i: number, j: number) => boolean): Int32Array {
  const match = new Int32Array(b.length).fill(-1);
  const stack: [number, number, number, number][] = [[0, a.length, 0, b.length]];
  while (stack.length > 0) {
    let [a0, a1, b0, b1] = stack.pop()!;
    while (a0 < a1 && b0 < b1 && a[a0] === b[b0] && same(a0, b0)) match[b0++] = a0++;
    while (a0 < a1 && b0 < b1 && a[a1 - 1] === b[b1 - 1] && same(a1 - 1, b1 - 1)) match[--b1] = --a1;
    if (a0 >= a1 || b0 >= b1) continue;
    const anchors = uniqueAnchors(a, a0, a1, b, b0, b1, same);
    if (anchors.length === 0) {
      if ((a1 - a0) * (b1 - b0) <= 4_000_000) lcsFill(a, a0, a1, b, b0, b1, same, match);
      continue;
    }
    // gaps between anchors, each aligned on its own
    let pa = a0;
    let pb = b0;
    for (const [i, j] of anchors) {
      match[j] = i;
      if (i > pa && j > pb) stack.push([pa, i, pb, j]);
      pa = i + 1;
      pb = j + 1;
    }
    if (a1 > pa && b1 > pb) stack.push([pa, a1, pb, b1]);
  }
  return match;
}

// Rows whose hash occurs once on each side of the range, as (i, j) pairs forming the longest
// increasing run (patience sorting).
function uniqueAnchors(a: Int32Array, a0: number, a1: number, b: Int32Array, b0: number, b1: number, same: (i: number, j: number) => boolean): [number, number][] {
  const seen = new Map<number, number>(); // hash -> index in a, or -2 when repeated
  for (let i = a0; i < a1; i++) seen.set(a[i]!, seen.has(a[i]!) ? -2 : i);
  const inB = new Map<number, number>();
  for (let j = b0; j < b1; j++) {
    const h = b[j]!;
    if (seen.has(h)) inB.set(h, inB.has(h) ? -2 : j);
  }
  const pairs: [number, number][] = [];
  for (const [h, j] of inB) {
    const i = seen.get(h)!;
    if (i >= 0 && j >= 0 && same(i, j)) pairs.push([i, j]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  // longest increasing subsequence on j
  const tails: number[] = [];
  const prev = new Int32Array(pairs.length).fill(-1);
  for (let k = 0; k < pairs.length; k++) {
    const j = pairs[k]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[k] = tails[lo - 1]!;
    tails[lo] = k;
  }
  const out: [number, number][] = [];
  for (let k = tails.length ? tails[tails.length - 1]! : -1; k >= 0; k = prev[k]!) out.push(pairs[k]!);
  return out.reverse();
}

// Classic LCS table for a small gap without unique anchors.
function lcsFill(a: Int32Array, a0: number, a1: number, b: Int32Array, b0: number, b1: number, same: (i: number, j: number) => boolean, match: Int32Array): void {
  const n = a1 - a0;
  const m = b1 - b0;
  const t = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      t[i * (m + 1) + j] = a[a0 + i] === b[b0 + j] && same(a0 + i, b0 + j) ? t[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(t[(i + 1) * (m + 1) + j]!, t[i * (m + 1) + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[a0 + i] === b[b0 + j] && t[i * (m + 1) + j] === t[(i + 1) * (m + 1) + j + 1]! + 1 && same(a0 + i, b0 + j)) {
      match[b0 + j] = a0 + i;
      i++;
      j++;
    } else if (t[(i + 1) * (m + 1) + j]! >= t[i * (m + 1) + j + 1]!) i++;
    else j++;
  }
}
