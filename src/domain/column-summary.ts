import type { DiffSummary, SuggestedRename } from '../contracts/jobs.js';
import type { ColumnPlan } from './diff-columns.js';

/**
 * The `columns` part of a diff summary, built the same way by every engine: compared, added
 * and removed columns by name, the moved columns and applied renames of the plan, the suggested
 * renames, and the changed-cell count of each compared column (`byColumn` follows
 * `plan.columns`).
 */
export function summariseColumns(
  plan: Pick<ColumnPlan, 'columns' | 'moved' | 'renamed'>,
  byColumn: ArrayLike<number>,
  suggestedRenames: SuggestedRename[],
): DiffSummary['columns'] {
  const compared: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  const changedCellsByColumn: Record<string, number> = {};
  plan.columns.forEach((c, i) => {
    if (c.status === 'compared') {
      compared.push(c.name);
      changedCellsByColumn[c.name] = byColumn[i] ?? 0;
    } else if (c.status === 'added') added.push(c.name);
    else if (c.status === 'removed') removed.push(c.name);
  });
  return { compared, added, removed, moved: plan.moved, renamed: plan.renamed, suggestedRenames, changedCellsByColumn };
}
