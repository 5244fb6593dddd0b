import { CsvParser } from './csv-parser.js';

/** Delimiters the sniffer chooses among, in the order that wins a tie. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
/** One of {@link DELIMITERS}. */
export type Delimiter = (typeof DELIMITERS)[number];

const SAMPLE_RECORDS = 20;

/**
 * Picks the delimiter of a CSV/TSV from the text of its first records: the candidate that
 * splits the most sampled records into the same number (> 1) of fields, counted outside quotes.
 * Ties go to `prefer` (tab for .tsv), then to the order of {@link DELIMITERS}; a file with one
 * column gets `prefer` or `,`.
 *
 * @param complete true when `text` is the whole file (else its last record may be cut short and
 *   is not counted).
 */
export function sniffDelimiter(text: string, complete: boolean, prefer?: Delimiter): Delimiter {
  const order: Delimiter[] = prefer ? [prefer, ...DELIMITERS.filter((d) => d !== prefer)] : [...DELIMITERS];
  let best: Delimiter = order[0]!;
  let bestScore = 0;
  for (const d of order) {
    const counts: number[] = [];
    const p = new CsvParser(d, (fields) => {
      if (counts.length <= SAMPLE_RECORDS) counts.push(fields.length);
    });
    p.push(text);
    if (complete) p.end();
    else if (counts.length > 1) counts.pop();
    const freq = new Map<number, number>();
    for (const c of counts) if (c > 1) freq.set(c, (freq.get(c) ?? 0) + 1);
    let score = 0;
    for (const f of freq.values()) score = Math.max(score, f);
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}
