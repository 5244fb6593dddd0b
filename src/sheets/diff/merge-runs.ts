/**
 * K-way merge of runs that are each in order: yields every item of every run, smallest first by
 * `compare`; items that compare equal come in run order (all of run 0's, then run 1's, …), and
 * within a run in the run's own order, so the merge gives what a stable sort of the runs laid
 * end to end gives. One head per run is held (a binary heap over the runs), so memory is the
 * runs' readers, not the items. Leaving the merge early closes every run's iterator.
 */
export function* mergeRuns<T>(runs: readonly Iterable<T>[], compare: (a: T, b: T) => number): Generator<T, void, undefined> {
  if (runs.length === 1) {
    yield* runs[0]!;
    return;
  }
  const its = runs.map((r) => r[Symbol.iterator]());
  const heads: T[] = new Array<T>(its.length);
  // heap of run indexes, ordered by (head, run index)
  const heap: number[] = [];
  const less = (a: number, b: number): boolean => {
    const c = compare(heads[a]!, heads[b]!);
    return c < 0 || (c === 0 && a < b);
  };
  const down = (i: number): void => {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[m]!, heap[i]!)) return;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      i = m;
    }
  };
  try {
    for (let k = 0; k < its.length; k++) {
      const r = its[k]!.next();
      if (r.done) continue;
      heads[k] = r.value;
      heap.push(k);
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    while (heap.length > 0) {
      const k = heap[0]!;
      yield heads[k]!;
      const r = its[k]!.next();
      if (r.done) {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      } else heads[k] = r.value;
      down(0);
    }
  } finally {
    for (const it of its) it.return?.();
  }
}
