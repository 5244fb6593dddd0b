/**
 * Record-stream exports (DESIGN §7): open (JSON metadata, or the one-request NDJSON form),
 * batches of records (NDJSON or CSV, streamed), complete, status, cancel.
 */
import type { Readable } from 'node:stream';
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BatchAcceptedSchema, BatchQuerySchema, ExportCreateSchema, ExportIdParamsSchema, ExportViewSchema } from '../../contracts/index.js';
import { ERRORS } from '../../errors/index.js';
import { addBatch, cancelExport, completeExport, createExport, getOwnedExport, oneRequestExport, toExportView } from '../../services/exports.js';
import { parseIdempotencyKey } from '../../services/idempotency.js';
import { callerOf } from '../plugins/auth.js';
import { sendResult } from '../reply.js';
import { IdempotencyHeadersSchema, problemResponses, streamedBodyValidator, type RouteOptions } from '../schemas.js';

// A JSON body is validated by its schema; a streamed one (NDJSON, CSV) goes to the service as is.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- must fit the route's schema type
const jsonOrStream: FastifySchemaCompiler<any> = (ctx) => {
  const json = validatorCompiler(ctx);
  return ctx.httpPart === 'body' ? (data) => (data && typeof (data as Readable).pipe === 'function' ? { value: data } : json(data)) : json;
};

const NDJSON = ['application/x-ndjson', 'application/jsonl', 'application/ndjson'];
const CSV = ['text/csv'];

/** The request body as a stream (these content types are not buffered, see the parser below). */
const bodyStream = (body: unknown): Readable => body as Readable;
const isNdjson = (type: string | undefined): boolean => NDJSON.some((t) => type?.startsWith(t));

const exportRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, opts) => {
  const tags = ['exports'];
  const hide = opts.alias;
  app.addHook('onRequest', app.authenticate);
  // Batches can be any size: hand the raw stream to the service, which parses it as it arrives.
  app.addContentTypeParser([...NDJSON, ...CSV], (_req, payload, done) => done(null, payload));

  app.post(
    '/exports',
    {
      schema: { hide, tags, summary: 'open an export (JSON metadata), or send it whole as NDJSON: metadata line, then records', headers: IdempotencyHeadersSchema, body: ExportCreateSchema, response: { 201: ExportViewSchema, 202: ExportViewSchema, ...problemResponses } },
      validatorCompiler: jsonOrStream,
    },
    async (request, reply) => {
      const caller = callerOf(request);
      if (isNdjson(request.headers['content-type'])) {
        const view = await oneRequestExport(app.deps, { caller, body: bodyStream(request.body), traceparent: request.headers.traceparent as string | undefined });
        return reply.code(202).header('location', `/api/v1/exports/${view.exportId}`).send(view);
      }
      const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
      return sendResult(reply, await createExport(app.deps, { caller, spec: request.body, idempotencyKey }));
    },
  );

  app.post(
    '/exports/:id/records',
    {
      schema: { hide, tags, summary: 'add a batch of records (NDJSON arrays/objects or CSV); a retried seq is stored once', params: ExportIdParamsSchema, querystring: BatchQuerySchema, response: { 200: BatchAcceptedSchema, ...problemResponses } },
      validatorCompiler: streamedBodyValidator,
    },
    async (request) => {
      const type = request.headers['content-type'];
      const kind = isNdjson(type) ? 'ndjson' : CSV.some((t) => type?.startsWith(t)) ? 'csv' : null;
      if (!kind || !request.body) throw ERRORS.unsupportedMedia('send records as application/x-ndjson or text/csv');
      return addBatch(app.deps, { caller: callerOf(request), id: request.params.id, seq: request.query.seq, kind, body: bodyStream(request.body) });
    },
  );

  app.post(
    '/exports/:id/complete',
    { schema: { hide, tags, summary: 'no more records: queue the export for rendering', params: ExportIdParamsSchema, response: { 202: ExportViewSchema, ...problemResponses } } },
    async (request, reply) => {
      const view = await completeExport(app.deps, { caller: callerOf(request), id: request.params.id, traceparent: request.headers.traceparent as string | undefined });
      return reply.code(202).send(view);
    },
  );

  app.get(
    '/exports/:id',
    { schema: { hide, tags, summary: 'status, progress, record count, size, sha256 and a signed download link', params: ExportIdParamsSchema, response: { 200: ExportViewSchema, ...problemResponses } } },
    async (request) => toExportView(app.deps, await getOwnedExport(app.deps, callerOf(request), request.params.id)),
  );

  app.delete(
    '/exports/:id',
    { schema: { hide, tags, summary: 'cancel the export and remove its records (idempotent)', params: ExportIdParamsSchema, response: { 200: ExportViewSchema, ...problemResponses } } },
    async (request) => cancelExport(app.deps, callerOf(request), request.params.id),
  );
};

export default exportRoutes;
