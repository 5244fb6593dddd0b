/**
 * Follows a job live over Server-Sent Events. EventSource reconnects on its own and sends
 * `Last-Event-ID`, so the API resumes after the last event seen; the stream ends (and is closed
 * here) once the job is terminal.
 */
import { JOB_EVENT_TYPES, JobEventSchema, type JobEvent } from '../../../src/contracts/index.js';
import { eventsUrl } from './client.js';

export interface JobStreamHandlers {
  onEvent: (ev: JobEvent) => void;
  /** `open` also after a reconnect: a good moment to re-read the job. */
  onConnection: (state: 'open' | 'reconnecting') => void;
}

const TERMINAL_EVENTS = new Set(['export_ready', 'failed', 'cancelled', 'expired']);

/** Opens the stream; returns a function that closes it. */
export function followJob(id: string, h: JobStreamHandlers): () => void {
  const source = new EventSource(eventsUrl(id), { withCredentials: true });
  const seen = new Set<string>();
  const onMessage = (msg: MessageEvent<string>) => {
    const parsed = JobEventSchema.safeParse(JSON.parse(msg.data));
    if (!parsed.success || seen.has(parsed.data.id)) return;
    seen.add(parsed.data.id);
    h.onEvent(parsed.data);
    if (TERMINAL_EVENTS.has(parsed.data.type)) source.close();
  };
  // Named events need one listener per type; unnamed ones arrive as `message`.
  for (const type of [...JOB_EVENT_TYPES, 'message']) source.addEventListener(type, onMessage as EventListener);
  source.onopen = () => h.onConnection('open');
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED) h.onConnection('reconnecting');
  };
  return () => source.close();
}
