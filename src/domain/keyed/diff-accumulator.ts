import type { DiffSummary } from '../../contracts/jobs.js';
import { summariseColumns } from '../column-summary.js';
import type { ColumnPlan } from '../diff-columns.js';
import type { CellChange, ChangeType, DiffColumn, DiffResult, RowChange } from '../diff-result.js';
import type { RenameScorer } from '../rename-scorer.js';
import type { CellValue, Table } from '../table.js';

/** Name, workbook sheet names, header and header row of one side of a diff. */
export interface SheetLayout {
  name: string;
  names: string[];
  header: string[];
  /** 1-based source row of the header. */
  headerRow: number;
}

/**
 * Collects the changes of one or more {@link KeyedDiffer} runs (one per partition when the
 * input spilled) into a DiffResult whose tables hold only the rows the changes refer to.
 * Differs hand every pair of rows that share a key to {@link renames} when it is set, so the
 * suggested renames cover all partitions.
 */
export class DiffAccumulator {
  private readonly columns: DiffColumn[];
  private readonly oldRows: CellValue[][] = [];
  private readonly oldNums: number[] = [];
  private readonly newRows: CellValue[][] = [];
  private readonly newNums: number[] = [];
  private readonly changes: RowChange[] = [];
  /** anchor (new-file row number the change sits at) and side order, to merge partitions */
  private readonly anchors: number[] = [];
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
   */
  constructor(
    private readonly plan: ColumnPlan,
    readonly renames?: RenameScorer,
  ) {
    this.columns = plan.columns;
    this.byColumn = new Array<number>(plan.columns.length).fill(0);
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
    let oldRow = -1;
    let newRow = -1;
    if (oldCells) {
      oldRow = this.oldRows.push(oldCells) - 1;
      this.oldNums.push(oldRowNo);
    }
    if (newCells) {
      newRow = this.newRows.push(newCells) - 1;
      this.newNums.push(newRowNo);
    }
    if (type === 'changed') {
      this.counts.changed++;
      for (const c of cells!) this.byColumn[c.column]!++;
      this.changedCells += cells!.length;
    } else if (type === 'duplicate') this.counts.duplicateKeys++;
    else this.counts[type]++;
    this.changes.push({ type, oldRow, newRow, cells: cells ?? [] });
    this.anchors.push(anchor);
  }

  /** Adds the row counts of one finished partition. */
  addRowCounts(old: number, nu: number): void {
    this.rowsOld += old;
    this.rowsNew += nu;
    this.parts++;
  }

  /** The finished result (sorted by anchor when several partitions contributed). */
  result(key: string[], sheets: { old: SheetLayout; new: SheetLayout }): DiffResult {
    this.counts.unchanged = this.unchanged;
    let changes = this.changes;
    if (this.parts > 1) {
      const order = changes.map((_, i) => i);
      const a = this.anchors;
      // removed rows sit before the new row they are anchored at; ties keep partition order
      order.sort((x, y) => a[x]! - a[y]! || (changes[x]!.newRow >= 0 ? 1 : 0) - (changes[y]!.newRow >= 0 ? 1 : 0) || x - y);
      changes = order.map((i) => this.changes[i]!);
    }
    const cols = this.columns;
    const summary: DiffSummary = {
      rows: { ...this.counts },
      changedCells: this.changedCells,
      columns: summariseColumns(this.plan, this.byColumn, this.renames?.suggestions() ?? []),
      key,
      sheets: { old: sheets.old.name, new: sheets.new.name },
      headerRows: { old: sheets.old.headerRow, new: sheets.new.headerRow },
      rowCounts: { old: this.rowsOld, new: this.rowsNew },
    };
    const table = (s: SheetLayout, rows: CellValue[][], rowNumbers: number[]): Table => ({
      sheetName: s.name,
      sheetNames: s.names,
      header: s.header,
      rows,
      rowNumbers,
      headerRow: s.headerRow,
    });
    return {
      summary,
      columns: cols,
      changes,
      old: table(sheets.old, this.oldRows, this.oldNums),
      new: table(sheets.new, this.newRows, this.newNums),
    };
  }
}
