/**
 * The process-wide live-events hub (one Pub/Sub connection for every SSE stream), closed with
 * the app.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createJobEventHub } from '../../services/live-events.js';
import { shared } from '../shared-plugin.js';

export default shared(async function liveEvents(app: FastifyInstance, opts: { connect?: () => Redis }) {
  const { redis, keys, log } = app.deps;
  // The subscriber queues SUBSCRIBE while disconnected (unlike the fail-fast command client).
  const connect = opts.connect ?? (() => redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, connectionName: 'api:subscriber' }));
  const hub = createJobEventHub({ connect, keys, log });
  app.decorate('liveEvents', hub);
  // preClose: end open SSE streams before the server waits for its connections to finish.
  app.addHook('preClose', async () => hub.close());
}, 'sheetdiff-live-events');
