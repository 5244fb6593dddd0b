import { z } from 'zod';

/**
 * Stream entries carry one `data` field holding this envelope as JSON, so payloads can evolve
 * (`v`) and every entry carries the W3C trace context (`traceparent`).
 */
export const EnvelopeSchema = z.object({
  v: z.literal(1),
  type: z.string(),
  id: z.string().describe('message id (unique per enqueue)'),
  jobId: z.string(),
  traceparent: z.string().optional(),
  payload: z.record(z.string(), z.unknown()).default({}),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** compare stream: diff the job's two inputs. */
export const CompareRequestedSchema = EnvelopeSchema.extend({ type: z.literal('CompareRequested') });
/**
 * payment stream: a job was compared (create an order or skip payment), or a payment was notified.
 * A `JobCompared` sent to re-open payment names the order it asks for (`…r<n>`), so a late or
 * repeated request never opens an order nobody asked for.
 */
export const PaymentMessageSchema = z.discriminatedUnion('type', [
  EnvelopeSchema.extend({
    type: z.literal('JobCompared'),
    payload: z.object({ orderId: z.string().max(64).optional() }).default({}),
  }),
  EnvelopeSchema.extend({
    type: z.literal('PaymentNotified'),
    payload: z.object({ orderId: z.string(), transactionId: z.string(), amount: z.number().int() }),
  }),
]);
/** export stream: render or finalise the paid download. */
export const ExportRequestedSchema = EnvelopeSchema.extend({ type: z.literal('ExportRequested') });

export type CompareRequested = z.infer<typeof CompareRequestedSchema>;
export type PaymentMessage = z.infer<typeof PaymentMessageSchema>;
export type ExportRequested = z.infer<typeof ExportRequestedSchema>;
