/**
 * OpenTelemetry bootstrap: the SDK and its instrumentations (http, ioredis, Fastify through
 * `@fastify/otel`) are imported only when traces are switched on (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * or an exporter handed in by a test). Switched off, nothing of OpenTelemetry is loaded and the
 * helpers of ./trace-context.ts return at their first line.
 *
 * Call `startTracing` before the modules it instruments are imported (the entry files import the
 * rest of the process dynamically afterwards): ioredis and node:http are patched when they load.
 */
import { register } from 'node:module';
import { tracingState } from './trace-context.js';

export interface TracingOptions {
  /** OTLP/HTTP base URL (`…:4318`); traces go to `<endpoint>/v1/traces`. */
  endpoint?: string | undefined;
  /** `service.name` of the spans (`sheetdiff-api`, `sheetdiff-compare-worker`…). */
  serviceName: string;
  /**
   * A span exporter used instead of OTLP (tests pass an in-memory exporter); spans are exported
   * one by one as they end.
   */
  exporter?: unknown;
  /** Patch modules imported after this call (ESM loader hook). @defaultValue true */
  hookImports?: boolean;
}

/** Handle of the tracing bootstrap; `shutdown` flushes spans still buffered. */
export interface Tracing {
  enabled: boolean;
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };
let started: Tracing | undefined;

/** Starts the OpenTelemetry SDK when an endpoint or exporter is given; otherwise a no-op (nothing imported). */
export async function startTracing(o: TracingOptions): Promise<Tracing> {
  if (!o.endpoint && !o.exporter) return OFF;
  if (started) return started;
  if (o.hookImports ?? true) {
    // ESM modules are only patchable through a loader hook (import-in-the-middle).
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  }
  const [api, sdkNode, traceBase, httpInst, redisInst, fastifyOtel] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@fastify/otel'),
  ]);
  const processor = o.exporter
    ? new traceBase.SimpleSpanProcessor(o.exporter as InstanceType<typeof traceBase.InMemorySpanExporter>)
    : new traceBase.BatchSpanProcessor(
        new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: `${o.endpoint!.replace(/\/+$/, '')}/v1/traces` }),
      );
  const FastifyOtel = fastifyOtel.FastifyOtelInstrumentation ?? fastifyOtel.default;
  const sdk = new sdkNode.NodeSDK({
    serviceName: o.serviceName,
    spanProcessors: [processor],
    instrumentations: [
      new httpInst.HttpInstrumentation({
        // Probes and scrapes would drown the traces that matter.
        ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)\b/.test(req.url ?? ''),
      }),
      new redisInst.IORedisInstrumentation({ requireParentSpan: true }),
      new FastifyOtel({ registerOnInitialization: true, ignorePaths: (r: { url?: string }) => /^\/(healthz|readyz|metrics)$/.test(r.url ?? '') }),
    ],
  });
  sdk.start();
  tracingState.api = api;
  tracingState.tracer = api.trace.getTracer('sheetdiff');
  started = {
    enabled: true,
    shutdown: async () => {
      tracingState.api = undefined;
      tracingState.tracer = undefined;
      started = undefined;
      await sdk.shutdown();
    },
  };
  return started;
}
