/**
 * Server-Sent Events for a job: history after Last-Event-ID, then live events until a terminal
 * status, with `: keepalive` comments while quiet. The response is written by hand (hijacked),
 * after ownership was checked, so errors before the stream starts are still problem+json.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JobEvent } from '../contracts/index.js';
import { assertEventId, getOwnedJob } from '../services/comparisons.js';
import { followJobEvents } from '../services/live-events.js';
import { callerOf } from './plugins/auth.js';

/** True when the client asked for an event stream. */
export function wantsEventStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

/** One SSE frame: id = event id, event = type, data = the event as JSON. */
export function formatSseEvent(ev: JobEvent): string {
  return `id: ${ev.id}\nevent: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}

export async function streamJobEvents(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  jobId: string,
  lastEventId: string | undefined,
): Promise<void> {
  assertEventId(lastEventId);
  await getOwnedJob(app.deps, callerOf(request), jobId);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // The connection is not reused after the stream ends (EventSource reconnects anew), so a
    // closing server does not wait out keep-alive on it.
    connection: 'close',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const abort = new AbortController();
  const onClose = () => abort.abort();
  res.on('close', onClose);
  try {
    await followJobEvents({ jobs: app.deps.jobs, hub: app.liveEvents }, jobId, {
      afterId: lastEventId,
      signal: AbortSignal.any([abort.signal, app.liveEvents.closed]),
      pollMs: app.deps.ssePollMs,
      onEvent: (ev) => res.write(formatSseEvent(ev)),
      onIdle: () => res.write(': keepalive\n\n'),
    });
  } catch (err) {
    request.log.warn({ err, jobId }, 'event stream ended by an error');
    if (!res.writableEnded) res.write(`event: error\ndata: ${JSON.stringify({ code: 'stream_error' })}\n\n`);
  } finally {
    res.off('close', onClose);
    if (!res.writableEnded) res.end();
  }
}
