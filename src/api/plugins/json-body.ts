/**
 * JSON bodies as Fastify parses them (prototype-poisoning protection included), except that an
 * empty body counts as no body: `POST …/cancel` with `Content-Type: application/json` and nothing
 * else is what many HTTP clients send.
 */
import type { FastifyInstance } from 'fastify';
import { shared } from '../shared-plugin.js';

export default shared(async function jsonBody(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
}, 'sheetdiff-json-body');
