import type { RecordStore } from './record-store.js';

/** FNV-1a over `buf[s, e)`: cheap, and good enough spread for an open-addressing table. */
export function hashBytes(buf: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h | 0;
}

/**
 * Open-addressing hash index from key bytes to the first record of a {@link RecordStore} with
 * that key. Keys are compared byte for byte against the store, so no key string is ever built.
 */
export class KeyIndex {
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  private size = 0;

  constructor(private readonly store: RecordStore) {}

  /** The record holding key `buf[s, e)` with hash `h`, or -1. */
  find(buf: Uint8Array, s: number, e: number, h: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const r = slots[p]! - 1;
      if (r < 0) return -1;
      if (this.hashes[p] === h && this.store.keyEquals(r, buf, s, e)) return r;
    }
  }

  /** Adds record `r` under hash `h` (the caller has checked the key is not there yet). */
  insert(r: number, h: number): void {
    if ((this.size + 1) * 2 > this.slots.length) this.rehash();
    this.put(r, h);
    this.size++;
  }

  private put(r: number, h: number): void {
    const mask = this.slots.length - 1;
    let p = h & mask;
    while (this.slots[p] !== 0) p = (p + 1) & mask;
    this.slots[p] = r + 1;
    this.hashes[p] = h;
  }

  private rehash(): void {
    const oldSlots = this.slots;
    const oldHashes = this.hashes;
    this.slots = new Int32Array(oldSlots.length * 2);
    this.hashes = new Int32Array(oldSlots.length * 2);
    for (let p = 0; p < oldSlots.length; p++) if (oldSlots[p] !== 0) this.put(oldSlots[p]! - 1, oldHashes[p]!);
  }
}
