import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareOptions } from '../../contracts/jobs.js';
import { planColumns, resolveKeyColumns } from '../../domain/diff-columns.js';
import type { DiffResult, DiffSpec } from '../../domain/diff-result.js';
import { DiffAccumulator } from '../../domain/keyed/diff-accumulator.js';
import { KeyedDiffer } from '../../domain/keyed/keyed-differ.js';
import { createKeyCanonicaliser } from '../../domain/cell-compare.js';
import { RenameScorer } from '../../domain/rename-scorer.js';
import type { Table } from '../../domain/table.js';
import { ERRORS } from '../../errors/index.js';
import type { ReadTableOptions, SheetFormat } from '../read-table.js';
import { ChangeFile } from './change-file.js';
import { diffSequence } from './diff-sequence.js';
import { heldEstimate } from './held-estimate.js';
import { createKeyEncoder } from './key-bytes.js';
import { PartitionFiles } from './partition-files.js';
import { readSide, type KeyColumns, type SideLayout } from './side-reader.js';
import type { RecordCodec } from '../../domain/keyed/record-codec.js';

/** One input of a diff. */
export interface DiffInput {
  path: string;
  format: SheetFormat;
}

/** Options of {@link diffFiles}. */
export interface DiffFilesOptions extends ReadTableOptions {
  /**
   * Estimated in-memory size (bytes) past which both files are partitioned by key hash into
   * temporary files and diffed partition by partition. @defaultValue 256 MiB
   */
  spillBytes?: number;
  /**
   * Estimated in-memory size (bytes) of the reported changes past which they are written to a
   * change file and read back by the writers (see ChangeFile). @defaultValue 64 MiB
   */
  changesBytes?: number;
  /**
   * Directory for partition files and the change file (each in a fresh subdirectory; partitions
   * are removed when the diff returns, the change file when the result's changes are closed).
   */
  tmpDir: string;
}

const DEFAULT_SPILL = 256 << 20;
/** Default of {@link DiffFilesOptions.changesBytes}. */
export const DEFAULT_CHANGES_BYTES = 64 << 20;

/** The spill plan of a diff's changes (see DiffAccumulator). */
export const changeSpillPlan = (opts: DiffFilesOptions) => ChangeFile.plan(opts.changesBytes ?? DEFAULT_CHANGES_BYTES, opts.tmpDir);

/**
 * Read options of one side: its sheet and header row come from the compare options (the
 * per-side choice, else the common one, else what `opts` says). Without a chosen sheet the new
 * file prefers the sheet of the old file's name, so sheets are matched by name.
 */
export function sideReadOptions(opts: DiffFilesOptions, o: Partial<CompareOptions>, side: 'old' | 'new', oldSheet?: string): ReadTableOptions {
  const sheet = (side === 'old' ? o.oldSheet : o.newSheet) ?? o.sheet ?? opts.sheet;
  return {
    ...opts,
    sheet,
    headerRow: (side === 'old' ? o.oldHeaderRow : o.newHeaderRow) ?? o.headerRow ?? opts.headerRow,
    preferSheet: sheet === undefined ? oldSheet : undefined,
  };
}
// Partitions for `bytes` held: about half the limit each, so one partition's diff fits.
const partsFor = (bytes: number, spill: number): number => Math.min(1024, Math.ceil((bytes * 2) / spill));

/**
 * Diffs two files by key while they stream: the old file is indexed by key as bytes, the new
 * file streams past it, and only reported rows are ever decoded (see KeyedDiffer). When the
 * estimated size (see heldEstimate) passes `spillBytes`, or the old file's rows held in memory
 * pass it while they are read, both files are partitioned by key hash into temporary files, so
 * memory stays bounded by one partition whatever the input size; changes are then ordered by
 * their position in the new file. Past `changesBytes` of reported changes, those go to a change
 * file too (see ChangeFile), so the number of changes does not bound the input either: close
 * the result's `changes` once its outputs are written.
 *
 * Without key columns the rows are aligned as sequences (see SequenceDiffer); that path holds
 * both files' rows as bytes and does not spill.
 *
 * @throws AppError codes of readTable and diffTables.
 */
export async function diffFiles(oldIn: DiffInput, newIn: DiffInput, spec: DiffSpec, opts: DiffFilesOptions): Promise<DiffResult> {
  const o = spec.options;
  if (spec.key.every((k) => k.trim() === '')) return diffSequence(oldIn, newIn, spec, opts);
  const keys = createKeyEncoder(o);
  const spill = opts.spillBytes ?? DEFAULT_SPILL;
  const [eo, en] = await Promise.all([heldEstimate(oldIn.path, oldIn.format), heldEstimate(newIn.path, newIn.format)]);
  const estimate = eo + en;
  let parts = estimate <= spill ? 1 : partsFor(estimate, spill);

  let oldKeyIdx: number[] = [];
  let oldHeader: string[] = [];
  let oldCodec: { codec: RecordCodec; id: string } | undefined;
  let accumulator: DiffAccumulator | undefined;
  let keyNames: string[] = [];
  let differ = new KeyedDiffer();
  const canon = createKeyCanonicaliser(o);
  const oldKeys: KeyColumns = (h, codec, id) => {
    oldHeader = h;
    oldCodec = { codec, id };
    return (oldKeyIdx = resolveKeyColumns(h, spec.key, o.renames));
  };
  // The new file's header: plan the columns, check the key, set the engine's layout.
  const newKeys: KeyColumns = (h, codec, id) => {
    const oldT: Table = { sheetName: '', sheetNames: [], header: oldHeader, rows: [] };
    const newT: Table = { sheetName: '', sheetNames: [], header: h, rows: [] };
    const plan = planColumns(oldT, newT, spec.key, o, canon);
    const { columns, keyCount } = plan;
    const keyCols = columns.slice(0, keyCount);
    if (keyCols.some((c, i) => c.oldIndex !== oldKeyIdx[i])) {
      throw ERRORS.keyNotFound('The key columns name different columns in the two files', { key: spec.key });
    }
    keyNames = keyCols.map((c) => c.name);
    const sameLayout = oldCodec!.id === id && oldHeader.length === h.length && oldHeader.every((x, i) => x === h[i]);
    differ.setLayout({ columns, spec, oldWidth: oldHeader.length, newWidth: h.length, oldCodec: oldCodec!.codec, newCodec: codec, sameLayout });
    accumulator = new DiffAccumulator(plan, RenameScorer.create(columns, canon), changeSpillPlan(opts));
    return keyCols.map((c) => c.newIndex);
  };
  const sheetsOf = (ol: SideLayout, nl: SideLayout) => ({
    old: { name: ol.sheetName, names: ol.sheetNames, header: ol.header, headerRow: ol.headerRow },
    new: { name: nl.sheetName, names: nl.sheetNames, header: nl.header, headerRow: nl.headerRow },
  });

  let dir: string | undefined;
  try {
    let oldParts: PartitionFiles | undefined;
    const startSpill = (): PartitionFiles => {
      dir = mkdtempSync(join(opts.tmpDir, 'sd-spill-'));
      return new PartitionFiles(dir, 'old', parts);
    };
    if (parts > 1) oldParts = startSpill();
    const oldLayout = await readSide(oldIn.path, oldIn.format, sideReadOptions(opts, o, 'old'), oldKeys, keys, (k, ks, ke, r, rs, re, n) => {
      if (oldParts) return oldParts.write(k, ks, ke, r, rs, re, n);
      differ.addOld(k, ks, ke, r, rs, re, n);
      if (differ.bytes > spill) {
        // the estimate was low: move what is held into partitions and go on there
        parts = partsFor(Math.max(estimate, 4 * differ.bytes), spill);
        const to = (oldParts = startSpill());
        differ.forEachOld((b, bks, bke, brs, bre, bn) => to.write(b, bks, bke, b, brs, bre, bn));
        differ = new KeyedDiffer();
      }
    });
    const newOpts = sideReadOptions(opts, o, 'new', oldLayout.sheetName);
    if (!oldParts) {
      const newLayout = await readSide(newIn.path, newIn.format, newOpts, newKeys, keys, (k, ks, ke, r, rs, re, n) => differ.addNew(k, ks, ke, r, rs, re, n));
      differ.finish(accumulator!);
      return accumulator!.result(keyNames, sheetsOf(oldLayout, newLayout));
    }
    oldParts.close();
    const newParts = new PartitionFiles(dir!, 'new', parts);
    const newLayout = await readSide(newIn.path, newIn.format, newOpts, newKeys, keys, (k, ks, ke, r, rs, re, n) => newParts.write(k, ks, ke, r, rs, re, n));
    newParts.close();
    const init = differ.layout;
    for (let p = 0; p < parts; p++) {
      opts.signal?.throwIfAborted();
      const d = new KeyedDiffer();
      d.setLayout(init);
      oldParts.read(p, (b, ks, ke, rs, re, n) => d.addOld(b, ks, ke, b, rs, re, n));
      newParts.read(p, (b, ks, ke, rs, re, n) => d.addNew(b, ks, ke, b, rs, re, n));
      d.finish(accumulator!);
    }
    return accumulator!.result(keyNames, sheetsOf(oldLayout, newLayout));
  } catch (err) {
    accumulator?.discard();
    throw err;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
