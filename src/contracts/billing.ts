import { z } from 'zod';
import { JobViewSchema } from './jobs.js';

/** Amounts are integers in fen (1/100 CNY). */
const Fen = z.number().int();
/** One debit or credit: 1 fen to 1,000,000 CNY. */
export const AmountSchema = Fen.min(1).max(100_000_000).describe('fen');

/** Why a ledger entry exists. */
export const LEDGER_KINDS = ['topup', 'deduct', 'job_payment', 'refund', 'credit'] as const;
export const LedgerKindSchema = z.enum(LEDGER_KINDS);

/** One append-only ledger entry; `balance` is the balance right after it. */
export const LedgerEntrySchema = z.object({
  id: z.string().describe('ledger entry id (ordered)'),
  idempotencyKey: z.string(),
  kind: LedgerKindSchema,
  delta: Fen.describe('fen; negative for debits'),
  balance: Fen.describe('fen, after this entry'),
  ref: z.string().optional().describe('order or job id'),
  at: z.string(),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** GET /profile */
export const ProfileSchema = z.object({
  account: z.object({ id: z.string(), kind: z.enum(['anonymous', 'service']), name: z.string().optional(), createdAt: z.string().optional() }),
  balance: Fen.describe('fen'),
  currency: z.literal('CNY'),
  jobs: z.array(JobViewSchema).describe('most recent first'),
  ledger: z.array(LedgerEntrySchema).describe('most recent first'),
});
export type Profile = z.infer<typeof ProfileSchema>;

/** POST /billing/pending body: a top-up of the prepaid balance. */
export const TopUpRequestSchema = z
  .object({
    amount: AmountSchema,
    idempotencyKey: z.string().min(1).max(128).optional().describe('same key → the same order'),
  })
  .strict();
export type TopUpRequest = z.infer<typeof TopUpRequestSchema>;

/** A payment order to show as a QR code (top-up, or a job's order). */
export const PaymentOrderSchema = z.object({
  orderId: z.string(),
  amount: Fen.describe('fen'),
  currency: z.literal('CNY'),
  codeUrl: z.string().describe('encode as a QR code; WeChat opens it'),
  expiresAt: z.string(),
  status: z.enum(['open', 'paid', 'closed', 'refunding', 'refunded']),
});
export type PaymentOrder = z.infer<typeof PaymentOrderSchema>;

/** POST /billing/deduct body. */
export const DeductRequestSchema = z
  .object({
    idempotencyKey: z.string().min(1).max(128).describe('the same key deducts once, however often it is sent'),
    amount: AmountSchema,
    reason: z.string().max(200).optional(),
  })
  .strict();
export type DeductRequest = z.infer<typeof DeductRequestSchema>;

/** POST /billing/deduct answer (also for a repeated key: `replayed` true, nothing deducted again). */
export const DeductResultSchema = z.object({
  entryId: z.string(),
  amount: Fen,
  balance: Fen.describe('fen, now'),
  replayed: z.boolean(),
});
export type DeductResult = z.infer<typeof DeductResultSchema>;

/** POST /compare/jobs/{id}/pay-from-balance answer. */
export const BalancePaymentSchema = z.object({
  jobId: z.string(),
  amount: Fen,
  balance: Fen.describe('fen, after paying'),
  entryId: z.string(),
  status: JobViewSchema.shape.status,
});
export type BalancePayment = z.infer<typeof BalancePaymentSchema>;
