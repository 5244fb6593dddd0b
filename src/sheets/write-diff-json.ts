import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { DiffResult } from '../domain/diff-result.js';
import { previewRow } from '../domain/preview.js';
import { ChunkedWriter } from './write/stream-write.js';

/**
 * Streams every change of the diff as JSON (DiffPreviewSchema: summary, columns, changes,
 * `totalChanges`, `truncated: false`), the bytes `JSON.stringify(buildPreview(result, { limit:
 * Infinity }))` gives, one change at a time, so it never holds the whole document. Resolves once
 * `out` has finished.
 */
export async function writeDiffJson(result: DiffResult, out: Writable): Promise<void> {
  const w = new ChunkedWriter(out);
  const columns = result.columns.map((c) => ({ name: c.name, status: c.status }));
  let p = w.add(`{"summary":${JSON.stringify(result.summary)},"columns":${JSON.stringify(columns)},"changes":[`);
  if (p) await p;
  let first = true;
  for (const ch of result.changes) {
    p = w.add((first ? '' : ',') + JSON.stringify(previewRow(result, ch)));
    first = false;
    if (p) await p;
  }
  p = w.add(`],"totalChanges":${result.changes.length},"truncated":false}`);
  if (p) await p;
  await w.flush();
  out.end();
  await finished(out);
}
