/**
 * Builds stream envelopes (`{v, type, id, jobId, traceparent, payload}`); see src/contracts/messages.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../contracts/index.js';

/** A new envelope with a fresh message id. */
export function makeEnvelope(m: {
  type: string;
  jobId: string;
  payload?: Record<string, unknown>;
  traceparent?: string;
}): Envelope {
  const env: Envelope = { v: 1, type: m.type, id: randomUUID(), jobId: m.jobId, payload: m.payload ?? {} };
  if (m.traceparent) env.traceparent = m.traceparent;
  return env;
}
