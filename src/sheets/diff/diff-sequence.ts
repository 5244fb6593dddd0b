import { createKeyCanonicaliser } from '../../domain/cell-compare.js';
import { planColumns } from '../../domain/diff-columns.js';
import type { DiffResult, DiffSpec } from '../../domain/diff-result.js';
import { DiffAccumulator } from '../../domain/keyed/diff-accumulator.js';
import type { RecordCodec } from '../../domain/keyed/record-codec.js';
import { SequenceDiffer } from '../../domain/keyed/sequence-differ.js';
import type { Table } from '../../domain/table.js';
import { RenameScorer } from '../../domain/rename-scorer.js';
import { changeSpillPlan, sideReadOptions, type DiffInput, type DiffFilesOptions } from './diff-files.js';
import { createKeyEncoder } from './key-bytes.js';
import { readSide } from './side-reader.js';

/**
 * Diff without key columns: both files stream into a SequenceDiffer (rows kept as bytes), which
 * aligns them like a text diff once the new file has been read.
 */
export async function diffSequence(oldIn: DiffInput, newIn: DiffInput, spec: DiffSpec, opts: DiffFilesOptions): Promise<DiffResult> {
  const o = spec.options;
  const keys = createKeyEncoder(o);
  let oldHeader: string[] = [];
  let oldCodec: { codec: RecordCodec; id: string } | undefined;
  const differ = new SequenceDiffer();
  let acc: DiffAccumulator | undefined;
  const oldLayout = await readSide(
    oldIn.path,
    oldIn.format,
    sideReadOptions(opts, o, 'old'),
    (h, codec, id) => {
      oldHeader = h;
      oldCodec = { codec, id };
      return [];
    },
    keys,
    (_k, _ks, _ke, r, rs, re, n) => differ.addOld(r, rs, re, n),
  );
  const newLayout = await readSide(
    newIn.path,
    newIn.format,
    sideReadOptions(opts, o, 'new', oldLayout.sheetName),
    (h, codec, id) => {
      const oldT: Table = { sheetName: '', sheetNames: [], header: oldHeader, rows: [] };
      const newT: Table = { sheetName: '', sheetNames: [], header: h, rows: [] };
      const canon = createKeyCanonicaliser(o);
      const plan = planColumns(oldT, newT, [], o, canon, true);
      const { columns } = plan;
      const sameLayout = oldCodec!.id === id && oldHeader.length === h.length && oldHeader.every((x, i) => x === h[i]);
      differ.setLayout({ columns, spec, oldWidth: oldHeader.length, newWidth: h.length, oldCodec: oldCodec!.codec, newCodec: codec, sameLayout });
      acc = new DiffAccumulator(plan, RenameScorer.create(columns, canon), changeSpillPlan(opts));
      return [];
    },
    keys,
    (_k, _ks, _ke, r, rs, re, n) => differ.addNew(r, rs, re, n),
  );
  try {
    differ.finish(acc!);
    return acc!.result([], {
      old: { name: oldLayout.sheetName, names: oldLayout.sheetNames, header: oldLayout.header, headerRow: oldLayout.headerRow },
      new: { name: newLayout.sheetName, names: newLayout.sheetNames, header: newLayout.header, headerRow: newLayout.headerRow },
    });
  } catch (err) {
    acc!.discard();
    throw err;
  }
}
