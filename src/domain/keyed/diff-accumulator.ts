import type { DiffSummary } from '../../contracts/jobs.js';
import { summariseColumns } from '../column-summary.js';
import type { ColumnPlan } from '../diff-columns.js';
import { changeArray, type CellChange, type ChangeList, type ChangeType, type DiffColumn, type DiffResult, type RowChange } from '../diff-result.js';
import type { RenameScorer } from '../rename-scorer.js';
import type { CellValue } from '../table.js';

/** Name, workbook sheet names, header and header row of one side of a diff. */
export interface SheetLayout {
  name: string;
  names: string[];
  header: string[];
  /** 1-based source row of the header. */
  headerRow: number;
}

/**
 * Where a {@link DiffAccumulator} moves its changes once they pass its budget (a change file,
 * see src/sheets/diff/change-file.ts). Changes arrive in runs, one per partition, each in
 * (anchor, removed-before-new) order; the list it finishes with merges the runs by that order,
 * ties in run order, which is the order the in-memory path sorts to.
 */
export interface ChangeSpill {
  /** Appends a change to the current run; `anchor` is the new-file row number it is shown at. */
  write(change: RowChange, anchor: number): void;
  /** Ends the current run (an empty run is allowed). */
  endRun(): void;
  /** Ends writing; every change written, runs merged. */
  finish(): ChangeList;
  /** Removes what was written (the diff failed before {@link finish}). Idempotent. */
  discard(): void;
}

/** When and where a {@link DiffAccumulator} spills its changes. */
export interface ChangeSpillPlan {
  /** Estimated bytes of held changes past which they move to the spill. */
  budgetBytes: number;
  /** Opens the spill (called once, when the budget is passed). */
  open(): ChangeSpill;
}

// Estimated heap bytes of one held change: the RowChange object, its arrays and cell values.
const CHANGE_BYTES = 96;
const SLOT_BYTES = 8;
const STRING_BYTES = 24;
const CELL_CHANGE_BYTES = 40;

function valueBytes(v: CellValue): number {
  return typeof v === 'string' ? STRING_BYTES + v.length : 0;
}

function rowBytes(cells: readonly CellValue[] | null): number {
  if (!cells) return 0;
  let n = 16 + cells.length * SLOT_BYTES;
  for (let i = 0; i < cells.length; i++) n += valueBytes(cells[i]!);
  return n;
}

/**
 * The order of a diff's changes across partitions: by anchor (the new-file row number a change
 * is shown at), a removed row (no new-file row) before the new row it is anchored at. Ties keep
 * run (partition) order; the in-memory sort and the change file's merge both use it.
 */
export function compareChanges(anchorA: number, a: RowChange, anchorB: number, b: RowChange): number {
  return anchorA - anchorB || (a.newCells ? 1 : 0) - (b.newCells ? 1 : 0);
}

/**
 * Estimated heap bytes a held change costs (what the change budget is measured in): its object,
 * both rows' cell slots and the text of their strings, and its changed cells.
 */
export function heldChangeBytes(ch: RowChange): number {
  let n = CHANGE_BYTES + rowBytes(ch.oldCells) + rowBytes(ch.newCells);
  for (const c of ch.cells) n += CELL_CHANGE_BYTES + valueBytes(c.old) + valueBytes(c.new);
  return n;
}

/**
 * Collects the changes of one or more {@link KeyedDiffer} runs (one per partition when the
 * input spilled) into a DiffResult. Differs hand every pair of rows that share a key to
 * {@link renames} when it is set, so the suggested renames cover all partitions.
 *
 * Changes are held in memory until their estimated size passes the spill plan's budget; then
 * what is held goes to the spill and every later change with it, so memory stays bounded
 * whatever the number of changes. Either way the result's changes come out in the same order.
 */
export class DiffAccumulator {
  private readonly columns: DiffColumn[];
  private changes: RowChange[] = [];
  /** anchor (new-file row number the change sits at) per held change, to merge partitions */
  private anchors: number[] = [];
  /** index of the first held change of each run after the first */
  private runStarts: number[] = [];
  private heldBytes = 0;
  private spill: ChangeSpill | undefined;
  private total = 0;
  private readonly counts = { added: 0, removed: 0, changed: 0, unchanged: 0, duplicateKeys: 0 };
  private readonly byColumn: number[];
  private changedCells = 0;
  private rowsOld = 0;
  private rowsNew = 0;
  private parts = 0;
  /** Paired rows found equal. */
  unchanged = 0;

  /**
   * @param plan - the column plan both files were read with
   * @param renames - scores removed/added column pairs over paired rows (absent when the plan
   *   has no removed or no added column)
   * @param spillPlan - where changes go past a budget (absent: always held in memory)
   */
  constructor(
    private readonly plan: ColumnPlan,
    readonly renames?: RenameScorer,
    private readonly spillPlan?: ChangeSpillPlan,
  ) {
    this.columns = plan.columns;
    this.byColumn = new Array<number>(plan.columns.length).fill(0);
  }

  /** True once the changes went to the spill. */
  get spilled(): boolean {
    return this.spill !== undefined;
  }

  /** Records one change; `anchor` is the new-file row number it is shown at. */
  push(
    type: ChangeType,
    oldCells: CellValue[] | null,
    oldRowNo: number,
    newCells: CellValue[] | null,
    newRowNo: number,
    cells: CellChange[] | null,
    anchor: number,
  ): void {
    if (type === 'changed') {
      this.counts.changed++;
      for (const c of cells!) this.byColumn[c.column]!++;
      this.changedCells += cells!.length;
    } else if (type === 'duplicate') this.counts.duplicateKeys++;
    else this.counts[type]++;
    this.total++;
    const change: RowChange = {
      type,
      oldCells,
      newCells,
      oldRowNumber: oldCells ? oldRowNo : -1,
      newRowNumber: newCells ? newRowNo : -1,
      cells: cells ?? [],
    };
    if (this.spill) return this.spill.write(change, anchor);
    this.changes.push(change);
    this.anchors.push(anchor);
    if (this.spillPlan) {
      this.heldBytes += heldChangeBytes(change);
      if (this.heldBytes > this.spillPlan.budgetBytes) this.moveToSpill(this.spillPlan);
    }
  }

  /** Writes what is held to a freshly opened spill, run by run, and holds nothing more. */
  private moveToSpill(plan: ChangeSpillPlan): void {
    const spill = plan.open();
    this.spill = spill;
    let run = 0;
    for (let i = 0; i < this.changes.length; i++) {
      while (run < this.runStarts.length && this.runStarts[run] === i) {
        spill.endRun();
        run++;
      }
      spill.write(this.changes[i]!, this.anchors[i]!);
    }
    for (; run < this.runStarts.length; run++) spill.endRun();
    this.changes = [];
    this.anchors = [];
    this.runStarts = [];
    this.heldBytes = 0;
  }

  /** Adds the row counts of one finished partition (which ends its run of changes). */
  addRowCounts(old: number, nu: number): void {
    this.rowsOld += old;
    this.rowsNew += nu;
    this.parts++;
    if (this.spill) this.spill.endRun();
    else this.runStarts.push(this.changes.length);
  }

  /** Removes what went to the spill; for a diff that failed before {@link result}. */
  discard(): void {
    this.spill?.discard();
  }

  /** The finished result (ordered by anchor when several partitions contributed). */
  result(key: string[], sheets: { old: SheetLayout; new: SheetLayout }): DiffResult {
    this.counts.unchanged = this.unchanged;
    const summary: DiffSummary = {
      rows: { ...this.counts },
      changedCells: this.changedCells,
      columns: summariseColumns(this.plan, this.byColumn, this.renames?.suggestions() ?? []),
      key,
      sheets: { old: sheets.old.name, new: sheets.new.name },
      headerRows: { old: sheets.old.headerRow, new: sheets.new.headerRow },
      rowCounts: { old: this.rowsOld, new: this.rowsNew },
    };
    return { summary, columns: this.columns, changes: this.finishChanges() };
  }

  private finishChanges(): ChangeList {
    if (this.spill) {
      const list = this.spill.finish();
      if (list.length !== this.total) throw new Error(`change spill holds ${list.length} changes, ${this.total} were written`);
      return list;
    }
    let changes = this.changes;
    if (this.parts > 1) {
      const order = changes.map((_, i) => i);
      const a = this.anchors;
      order.sort((x, y) => compareChanges(a[x]!, changes[x]!, a[y]!, changes[y]!) || x - y);
      changes = order.map((i) => this.changes[i]!);
    }
    return changeArray(changes);
  }
}
