/**
 * W3C trace context across the streams: the API writes `traceparent` into every stream entry
 * (the envelope field), and the worker runs the job under a span whose parent is that context, so
 * one trace runs from the upload through every stage.
 *
 * With tracing off these helpers only parse strings: OpenTelemetry is never imported.
 */
import type * as OtelApi from '@opentelemetry/api';

/** Filled by `startTracing`; empty while tracing is off. */
export const tracingState: { api?: typeof OtelApi | undefined; tracer?: OtelApi.Tracer | undefined } = {};

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id inside a `traceparent` value, or undefined when absent or malformed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  if (!traceparent) return undefined;
  const m = TRACEPARENT.exec(traceparent);
  return m && m[1] !== '00000000000000000000000000000000' ? m[1] : undefined;
}

/** The `traceparent` of the active span (tracing on), else undefined. */
export function activeTraceparent(): string | undefined {
  const api = tracingState.api;
  if (!api) return undefined;
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.context.active(), carrier);
  return carrier.traceparent;
}

/**
 * Runs `fn` inside a consumer span whose parent is the remote context `traceparent` (the stream
 * entry's), so Redis calls and HTTP requests made by the job join the trace. Tracing off: `fn()`.
 */
export function withRemoteParent<T>(
  traceparent: string | undefined,
  name: string,
  attributes: Record<string, string | number>,
  fn: () => Promise<T>,
): Promise<T> {
  const { api, tracer } = tracingState;
  if (!api || !tracer) return fn();
  const parent = traceparent ? api.propagation.extract(api.ROOT_CONTEXT, { traceparent }) : api.ROOT_CONTEXT;
  return inSpan(api, tracer, name, { kind: api.SpanKind.CONSUMER, attributes }, parent, fn);
}

/**
 * Runs `fn` inside a span that joins an earlier trace: its parent is `traceparent` (e.g. the
 * context stored with a job when it was created) and it links to the active span (the request
 * being served), so a later request about the job (its download) shows up in the job's trace.
 * Tracing off, or no stored context: `fn()`.
 */
export function joinTrace<T>(
  traceparent: string | undefined,
  name: string,
  attributes: Record<string, string | number>,
  fn: () => Promise<T>,
): Promise<T> {
  const { api, tracer } = tracingState;
  if (!api || !tracer || !traceparent) return fn();
  const parent = api.propagation.extract(api.ROOT_CONTEXT, { traceparent });
  if (!api.trace.getSpanContext(parent)) return fn();
  const current = api.trace.getSpanContext(api.context.active());
  const links = current ? [{ context: current }] : [];
  return inSpan(api, tracer, name, { kind: api.SpanKind.INTERNAL, attributes, links }, parent, fn);
}

/** Runs `fn` as the active span `name` under `parent`, recording a thrown error on the span. */
function inSpan<T>(
  api: typeof OtelApi,
  tracer: OtelApi.Tracer,
  name: string,
  options: OtelApi.SpanOptions,
  parent: OtelApi.Context,
  fn: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
