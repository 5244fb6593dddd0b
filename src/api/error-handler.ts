/**
 * The one place failures become HTTP responses: every error, including unknown routes, schema
 * validation, body limits and an unreachable Redis, is answered as application/problem+json
 * (RFC 9457) with our stable `code`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { Problem } from '../contracts/index.js';
import { AppError, ERRORS } from '../errors/index.js';
import { http } from '../lib/node-http.js';

/** Problem `type` URIs are stable names, one per code. */
export const problemType = (code: string) => `urn:sheetdiff:problem:${code}`;

/** Fastify and plugin error codes that are the client's fault, with the code we report. */
const FASTIFY_CODES: Record<string, (e: FastifyError) => AppError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => ERRORS.unsupportedMedia(e.message),
  FST_INVALID_MULTIPART_CONTENT_TYPE: () => ERRORS.unsupportedMedia('expected a multipart/form-data body'),
  FST_ERR_CTP_BODY_TOO_LARGE: (e) => ERRORS.tooLarge(e.message),
  FST_REQ_FILE_TOO_LARGE: (e) => ERRORS.tooLarge(e.message),
  FST_FILES_LIMIT: () => ERRORS.tooLarge('too many files (expected file1 and file2)'),
  FST_FIELDS_LIMIT: () => ERRORS.tooLarge('too many form fields'),
  FST_PARTS_LIMIT: () => ERRORS.tooLarge('too many multipart parts'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ERRORS.validation('the JSON body is empty'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => ERRORS.validation('the body is not valid JSON'),
  FST_INVALID_JSON_FIELD_ERROR: () => ERRORS.validation('a multipart field sent as JSON is not valid JSON'),
  FST_MP_PREMATURE_CLOSE: () => ERRORS.validation('the upload ended before it was complete'),
};

function isRedisConnectionError(err: Error, redis: Redis): boolean {
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|EHOSTUNREACH/.test(err.message) ||
    redis.status !== 'ready'
  );
}

/** Turns anything thrown into an AppError (unknown errors become 500, or 503 while Redis is away). */
export function toAppError(err: unknown, redis: Redis): AppError {
  if (err instanceof AppError) return err;
  const e = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(e)) {
    const where = e.validationContext ?? 'request';
    const issues = e.validation.map((v) => ({
      path: [where, ...v.instancePath.split('/').filter(Boolean)],
      code: v.keyword,
      message: v.message,
    }));
    return ERRORS.validation(`invalid ${where}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { issues });
  }
  const mapped = e?.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) return mapped(e);
  if (e instanceof SyntaxError) return ERRORS.validation('the body is not valid JSON');
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError(e.code?.toLowerCase() ?? 'bad_request', e.statusCode, e.message);
  }
  if (e instanceof Error && isRedisConnectionError(e, redis)) {
    return ERRORS.redisUnavailable('Redis is not reachable; try again shortly', { retryAfterSeconds: 2 });
  }
  return ERRORS.internal('internal error');
}

/** The RFC 9457 body for an AppError; `details` become extension members. */
export function toProblem(err: AppError, instance: string): Problem {
  const { retryAfterSeconds: _omit, ...details } = err.details ?? {};
  return {
    ...details,
    type: problemType(err.code),
    title: http.STATUS_CODES[err.httpStatus] ?? 'Error',
    status: err.httpStatus,
    code: err.code,
    detail: err.message,
    instance,
  };
}

/** Sends a problem response (also used by routes that answer outside the normal flow). */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: AppError): FastifyReply {
  const retryAfter = err.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  // The rest of an oversized upload is not worth reading: answer and close.
  if (err.httpStatus === 413) reply.header('connection', 'close');
  const body = JSON.stringify(toProblem(err, request.url.split('?')[0] ?? request.url));
  return reply.code(err.httpStatus).type('application/problem+json').send(body);
}

/** Installs the error handler and the 404 handler on the root instance. */
export function registerErrorHandling(app: FastifyInstance, redis: Redis): void {
  app.setErrorHandler((err, request, reply) => {
    const appErr = toAppError(err, redis);
    if (appErr.httpStatus >= 500) request.log.error({ err, code: appErr.code }, 'request failed');
    else request.log.info({ code: appErr.code, msg: appErr.message }, 'request rejected');
    return sendProblem(reply, request, appErr);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, new AppError('not_found', 404, `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}
