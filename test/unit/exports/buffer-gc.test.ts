import { afterEach, describe, expect, it, vi } from 'vitest';
import { bufferGc, startBufferGc } from '../../../src/lib/buffer-gc.js';

const MB = 1024 * 1024;

describe('buffer-gc', () => {
  afterEach(() => {
    bufferGc().stop();
    vi.useRealTimers();
  });

  it('does nothing without a gc function', () => {
    const g = startBufferGc({ gc: undefined, bufferBytes: () => 0 });
    expect(g.enabled).toBe(false);
    g.note(100 * MB);
    expect(bufferGc().enabled).toBe(false);
  });

  it('asks for a young GC every stepMb streamed through note()', () => {
    const calls: unknown[] = [];
    const g = startBufferGc({ gc: (o) => calls.push(o), bufferBytes: () => 0, stepMb: 4 });
    for (let i = 0; i < 10; i++) bufferGc().note(1 * MB);
    expect(calls).toEqual([{ type: 'minor' }, { type: 'minor' }]);
    expect(g.stats).toEqual({ minor: 2, major: 0 });
  });

  it('collects when Buffer memory grows by a step: young first, full when the young GC freed too little', () => {
    vi.useFakeTimers();
    let bytes = 10 * MB;
    const calls: string[] = [];
    // a young GC frees what is young; `promoted` is only freed by a full GC
    let promoted = 0;
    const gc = (o?: { type?: string }): void => {
      calls.push(o?.type ?? 'full');
      if (o?.type === 'minor') bytes = 10 * MB + promoted;
      else {
        promoted = 0;
        bytes = 10 * MB;
      }
    };
    startBufferGc({ gc, bufferBytes: () => bytes, stepMb: 8, intervalMs: 100 });
    bytes += 7 * MB;
    vi.advanceTimersByTime(100);
    expect(calls).toEqual([]); // below the step
    bytes += 2 * MB; // 9 MB of young garbage
    vi.advanceTimersByTime(100);
    expect(calls).toEqual(['minor']);
    promoted = 9 * MB;
    bytes += 9 * MB; // all of it promoted this time
    vi.advanceTimersByTime(100);
    expect(calls).toEqual(['minor', 'minor', 'major']);
  });
});
