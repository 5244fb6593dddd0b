/** The diff engine's public surface: table model, diff, preview. */
export * from './table.js';
export * from './cell-compare.js';
export * from './diff-result.js';
export { diffTables } from './diff-engine.js';
export { buildPreview } from './preview.js';
