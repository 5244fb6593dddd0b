/**
 * Reply helpers. Sending an idempotent result: its status, stored headers (e.g. Location) and body, marked
 * `Idempotent-Replayed: true` when it is the stored answer of an earlier request.
 */
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { IdempotentResult } from '../services/idempotency.js';

export function sendResult(reply: FastifyReply, result: IdempotentResult): FastifyReply {
  const r = reply as FastifyReply;
  r.code(result.status).headers(result.headers ?? {});
  if (result.replayed) r.header('idempotent-replayed', 'true');
  return r.send(result.body);
}

/**
 * Sends a body that is not the route's JSON (HTML, a file stream). Fastify serializes only JSON
 * content types, so these pass through untouched; the cast only quiets the schema-typed reply.
 */
export function sendRaw(reply: FastifyReply, contentType: string, body: string | Readable): FastifyReply {
  return (reply as FastifyReply).type(contentType).send(body);
}
