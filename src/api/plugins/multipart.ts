/**
 * Multipart parsing for uploads. Files are consumed as streams by the services (never
 * `toBuffer`); per-request limits come from `compareUploadLimits`.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { compareUploadLimits } from '../../services/uploads.js';
import { shared } from '../shared-plugin.js';

export default shared(async function multipart(app: FastifyInstance) {
  await app.register(fastifyMultipart, {
    limits: compareUploadLimits(app.deps.config.http.maxUploadBytes),
    throwFileSizeLimit: true,
  });
}, 'sheetdiff-multipart');
