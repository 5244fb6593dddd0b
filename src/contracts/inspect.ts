import { z } from 'zod';

const CellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Uniqueness and completeness of one column of one file. */
export const ColumnProfileSchema = z.object({
  name: z.string(),
  letter: z.string(),
  completeness: z.number().describe('non-empty cells ÷ rows'),
  uniqueness: z.number().describe('distinct non-empty values ÷ non-empty cells'),
  distinct: z.number().int(),
  empty: z.number().int(),
});

/** POST /compare/inspect: the key assistant's report for one or two files. */
export const KeyReportSchema = z.object({
  files: z.array(
    z.object({
      sheet: z.string().describe('the sheet that was read'),
      sheetNames: z.array(z.string()).optional().describe("every sheet of the file, in workbook order (to choose another)"),
      rows: z.number().int(),
      columns: z.array(ColumnProfileSchema),
    }),
  ),
  suggestedKeys: z.array(z.array(z.string())).describe('best first: single columns unique and complete in every file, then pairs'),
  duplicatesFor: z.array(z.string()).describe('the key the duplicate groups are listed for'),
  duplicates: z.array(
    z.array(z.object({ key: z.array(CellSchema), rows: z.array(z.number().int()).describe('1-based source rows, at most 10'), count: z.number().int() })),
  ),
});
export type KeyReport = z.infer<typeof KeyReportSchema>;
