/**
 * Callers: services send `Authorization: Bearer sdk_…` (an API key, looked up by its hash);
 * browsers get an anonymous account id in a signed, HttpOnly, SameSite=Lax cookie issued on
 * their first request. Routes opt in with `onRequest: app.authenticate`.
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../../errors/index.js';
import { isAccountId, newAccountId } from '../../services/accounts.js';
import { authenticateApiKey } from '../../services/api-keys.js';
import type { Caller } from '../../services/deps.js';
import { shared } from '../shared-plugin.js';

/** Name of the account cookie. */
export const ACCOUNT_COOKIE = 'sd_account';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** The authenticated caller of a route that declared `onRequest: app.authenticate`. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw ERRORS.unauthorized('this route needs a caller');
  return request.caller;
}

export default shared(async function auth(app: FastifyInstance) {
  const { config, redis, keys } = app.deps;
  await app.register(fastifyCookie, { secret: config.secret });
  const secure = config.http.publicBaseUrl.startsWith('https:');
  app.decorateRequest('caller', null);

  app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
      const record = token ? await authenticateApiKey({ redis, keys }, token) : null;
      if (!record) {
        reply.header('www-authenticate', 'Bearer realm="sheetdiff"');
        throw ERRORS.unauthorized('invalid or revoked API key');
      }
      request.caller = { accountId: record.accountId, via: 'apiKey', apiKeyId: record.id };
      return;
    }
    const raw = request.cookies[ACCOUNT_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : null;
    if (unsigned?.valid && unsigned.value && isAccountId(unsigned.value)) {
      request.caller = { accountId: unsigned.value, via: 'cookie' };
      return;
    }
    const accountId = newAccountId();
    reply.setCookie(ACCOUNT_COOKIE, accountId, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      maxAge: ONE_YEAR_SECONDS,
    });
    request.caller = { accountId, via: 'cookie' };
  });
}, 'sheetdiff-auth');
