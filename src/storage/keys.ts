/**
 * Object key layout: every object of a job lives under `jobs/<jobId>/` so retention removes it
 * with one prefix delete, and a re-run overwrites the same keys instead of adding new ones.
 */
export const objectKeys = {
  jobPrefix: (jobId: string) => `jobs/${jobId}/`,
  input: (jobId: string, side: 'old' | 'new', ext: string) => `jobs/${jobId}/input-${side}.${ext}`,
  artefact: (jobId: string, name: ArtefactName) => `jobs/${jobId}/${ARTEFACT_FILES[name]}`,
  /**
   * Page `page` of the preview (PreviewPageSchema JSON): page 0 is the `preview` artefact (what
   * the preview has always been), the others are separate small objects, so every driver serves
   * any page with a plain GET, no range reads.
   */
  previewPage: (jobId: string, page: number) =>
    page === 0 ? `jobs/${jobId}/${ARTEFACT_FILES.preview}` : `jobs/${jobId}/preview/${String(page).padStart(8, '0')}.json`,
};

export const ARTEFACT_FILES = {
  xlsx: 'diff.xlsx',
  csv: 'diff.csv',
  summary: 'summary.json',
  preview: 'preview.json',
} as const;
export type ArtefactName = keyof typeof ARTEFACT_FILES;

/** Record-stream exports: batches as sent (normalised NDJSON), then the rendered file. */
export const exportKeys = {
  prefix: (exportId: string) => `exports/${exportId}/`,
  batch: (exportId: string, seq: number) => `exports/${exportId}/batches/${String(seq).padStart(10, '0')}.ndjson`,
  file: (exportId: string, format: 'xlsx' | 'csv') => `exports/${exportId}/export.${format}`,
};
