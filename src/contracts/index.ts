/**
 * HTTP and stream contracts: zod schemas first, types inferred. The web app imports this folder.
 *
 * Glossary:
 * - job (compare job): two uploaded spreadsheets plus options; moves through JOB_STATUSES.
 * - stage: the part of a job one worker kind performs (compare, payment, export).
 * - event: one entry in a job's ordered history (created, compare started, progress, ...).
 * - artefact: a file a job produced (diff.xlsx, diff.csv, summary.json, preview.json).
 * - export: a record-stream export sent by another service (issue: export middleware).
 * - ledger: the append-only list of an account's balance changes; the balance is their sum.
 * - payment order: one WeChat Pay (or dev) order, for a job's download or a balance top-up.
 */
export * from './billing.js';
export * from './jobs.js';
export * from './job-payment.js';
export * from './messages.js';
export * from './problem.js';
export * from './exports.js';
export * from './inspect.js';
