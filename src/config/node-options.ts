/**
 * Runtime settings of the processes that stream records and files (the API and the
 * export-worker), given through the environment where they are started (k8s Deployments,
 * docker-compose, `npm start`, the export benchmark). Not application settings, so not in the
 * env schema.
 *
 * V8 options (NODE_OPTIONS):
 *
 * - `--max-semi-space-size=2`: V8's young generation grows up to 3 × 16 MiB once a steady trickle
 *   of objects survives its GCs, which streaming always has; 2 MiB keeps it at ~6 MiB. Young GCs
 *   come more often but stay cheap, since almost nothing in a record's path outlives them.
 * - `--expose-gc`: lets buffer-gc.ts free streamed Buffers (V8 would leave up to 64 MiB of dead
 *   Buffers around before collecting them).
 *
 * With both, a 2M-record export keeps each process under 100 MB (see README, bench:export).
 */
export const STREAMING_NODE_OPTIONS = '--max-semi-space-size=2 --expose-gc';

/**
 * glibc's malloc (MALLOC_ARENA_MAX=1): by default every thread that allocates (V8's GC and
 * compiler threads, libuv's pool running deflate) gets an arena of its own, and each keeps what
 * it freed. One arena for all of them: 5–9 MB less peak RSS for each process in bench:export, at
 * no measurable cost in speed (docs/exports.md). Ignored by other C libraries.
 */
export const STREAMING_MALLOC_ARENA_MAX = '1';

/** The environment variables of a streaming process; the caller's NODE_OPTIONS go after ours, and its own MALLOC_ARENA_MAX wins. */
export function streamingEnv(env: NodeJS.ProcessEnv): { NODE_OPTIONS: string; MALLOC_ARENA_MAX: string } {
  return { NODE_OPTIONS: withStreamingOptions(env.NODE_OPTIONS), MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? STREAMING_MALLOC_ARENA_MAX };
}

/** The deployed processes that run with STREAMING_NODE_OPTIONS (k8s Deployment / compose service names). */
export const STREAMING_PROCESSES = ['api', 'worker-export'] as const;

/** NODE_OPTIONS for a process: `extra` (e.g. the caller's own NODE_OPTIONS) after ours, so it can override. */
export function withStreamingOptions(extra: string | undefined): string {
  return extra ? `${STREAMING_NODE_OPTIONS} ${extra}` : STREAMING_NODE_OPTIONS;
}

/**
 * Environment variables read by the Node runtime (and its C library), not by the application: deployment files may
 * set them beside the schema's variables (the deploy tests allow exactly these).
 */
export const RUNTIME_ENV_KEYS = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX'] as const;
