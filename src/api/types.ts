/**
 * The API's dependencies and the Fastify decorations every plugin and route may rely on.
 */
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { Caller, Clock, ServiceDeps } from '../services/deps.js';
import type { JobEventHub } from '../services/live-events.js';

/**
 * What `buildApp` needs: configuration and clients, all created by the caller (main.ts or a
 * test), so the app never reads the environment or opens connections on its own except the
 * lazily opened Pub/Sub subscriber for SSE.
 */
export interface AppDeps extends Omit<ServiceDeps, 'clock'> {
  /** @defaultValue Date.now */
  clock?: Clock;
  /** Opens the one Pub/Sub connection for live events. @defaultValue a duplicate of `redis` */
  connectSubscriber?: () => Redis;
  /** Fallback poll interval of SSE streams (also the keepalive period). @defaultValue 15000 */
  ssePollMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: ServiceDeps & { ssePollMs: number };
    /** onRequest hook: resolves `request.caller` from an API key or the account cookie. */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    liveEvents: JobEventHub;
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}
