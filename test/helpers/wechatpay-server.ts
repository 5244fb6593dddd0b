/**
 * A test WeChat Pay API v3 server (Native orders) for tests only. It checks the merchant's
 * request signature as WeChat does, signs every response with the platform key (serial = the
 * certificate's, or the public key id in public-key mode), and sends payment notifications the
 * way WeChat does: signature headers over `timestamp\nnonce\nbody\n` and the transaction encrypted
 * with AES-256-GCM under the API v3 key. `notification()` returns one to tamper with.
 */
import { createCipheriv, createSign, createVerify, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WechatTestKeys } from './wechatpay-keys.js';

export interface TestOrder {
  appid: string;
  mchid: string;
  out_trade_no: string;
  description: string;
  notify_url: string;
  time_expire?: string;
  amount: { total: number; currency: string };
  trade_state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
  transaction_id?: string;
  code_url: string;
}

export interface TestNotification {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WechatTestServer {
  baseUrl: string;
  orders: Map<string, TestOrder>;
  refunds: Map<string, { out_trade_no: string; amount: number }>;
  /** Requests refused for a bad merchant signature. */
  rejectedRequests: number;
  mode: 'certificate' | 'public-key';
  /** Marks the order paid (as the payer's scan would) without notifying. */
  markPaid(orderId: string): TestOrder;
  /** A notification for the order as WeChat would send it; `over` tampers with its parts. */
  notification(orderId: string, over?: { transaction?: Partial<Record<string, unknown>>; timestamp?: number; nonce?: string; serial?: string; signWith?: 'platform' | 'merchant' }): TestNotification;
  send(n: TestNotification): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const sign = (key: Parameters<ReturnType<typeof createSign>['sign']>[0], text: string) => createSign('RSA-SHA256').update(text).sign(key, 'base64');

function parseAuthorization(h: string | undefined): Record<string, string> | null {
  const m = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(h ?? '');
  if (!m) return null;
  return Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
}

export async function startWechatTestServer(keys: WechatTestKeys, mode: 'certificate' | 'public-key' = 'certificate'): Promise<WechatTestServer> {
  const orders = new Map<string, TestOrder>();
  const refunds = new Map<string, { out_trade_no: string; amount: number }>();
  const serial = mode === 'certificate' ? keys.platformSerial : keys.publicKeyId;
  const state = { rejected: 0 };

  function reply(res: ServerResponse, status: number, body?: unknown): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString('hex');
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': randomUUID(),
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': serial,
      'wechatpay-signature': sign(keys.platformPrivate, `${ts}\n${nonce}\n${text}\n`),
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const auth = parseAuthorization(req.headers.authorization);
    const signed = auth && `${req.method}\n${req.url}\n${auth.timestamp}\n${auth.nonce_str}\n${body}\n`;
    const valid =
      auth && signed && auth.mchid === keys.mchid && auth.serial_no === keys.merchantSerial &&
      createVerify('RSA-SHA256').update(signed).verify(keys.merchantPublic, auth.signature ?? '', 'base64');
    if (!valid) {
      state.rejected += 1;
      return reply(res, 401, { code: 'SIGN_ERROR', message: 'merchant signature does not verify' });
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const data = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    if (req.method === 'POST' && url.pathname === '/v3/pay/transactions/native') {
      const id = String(data.out_trade_no);
      const amount = data.amount as TestOrder['amount'];
      const prior = orders.get(id);
      if (prior) {
        if (prior.amount.total !== amount.total || prior.description !== data.description) return reply(res, 400, { code: 'INVALID_REQUEST', message: 'out_trade_no used with other parameters' });
        if (prior.trade_state === 'SUCCESS') return reply(res, 400, { code: 'ORDER_PAID', message: 'order paid' });
        return reply(res, 200, { code_url: prior.code_url });
      }
      if (data.mchid !== keys.mchid || data.appid !== keys.appid) return reply(res, 400, { code: 'PARAM_ERROR', message: 'mchid/appid' });
      const order: TestOrder = {
        appid: String(data.appid),
        mchid: String(data.mchid),
        out_trade_no: id,
        description: String(data.description),
        notify_url: String(data.notify_url),
        time_expire: data.time_expire as string | undefined,
        amount: { total: amount.total, currency: amount.currency ?? 'CNY' },
        trade_state: 'NOTPAY',
        code_url: `weixin://wxpay/bizpayurl?pr=${randomBytes(6).toString('base64url')}`,
      };
      orders.set(id, order);
      return reply(res, 200, { code_url: order.code_url });
    }
    const m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(url.pathname);
    if (m) {
      const order = orders.get(decodeURIComponent(m[1]!));
      if (!order) return reply(res, 404, { code: 'ORDER_NOT_EXIST', message: 'order does not exist' });
      if (m[2]) {
        if (order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND') return reply(res, 400, { code: 'ORDER_PAID', message: 'order paid' });
        order.trade_state = 'CLOSED';
        return reply(res, 204);
      }
      return reply(res, 200, {
        appid: order.appid,
        mchid: order.mchid,
        out_trade_no: order.out_trade_no,
        trade_state: order.trade_state,
        ...(order.transaction_id ? { transaction_id: order.transaction_id } : {}),
        amount: { total: order.amount.total, currency: order.amount.currency, payer_total: order.amount.total, payer_currency: 'CNY' },
      });
    }
    if (req.method === 'POST' && url.pathname === '/v3/refund/domestic/refunds') {
      const order = orders.get(String(data.out_trade_no));
      const amount = data.amount as { refund: number; total: number };
      if (!order || order.trade_state === 'NOTPAY' || order.trade_state === 'CLOSED') return reply(res, 400, { code: 'RESOURCE_NOT_EXISTS', message: 'no paid order' });
      if (amount.total !== order.amount.total || amount.refund > order.amount.total) return reply(res, 400, { code: 'PARAM_ERROR', message: 'amount' });
      const rid = String(data.out_refund_no);
      if (!refunds.has(rid)) refunds.set(rid, { out_trade_no: order.out_trade_no, amount: amount.refund });
      order.trade_state = 'REFUND';
      return reply(res, 200, { refund_id: `50${rid}`, out_refund_no: rid, out_trade_no: order.out_trade_no, status: 'PROCESSING', amount: { refund: amount.refund, total: amount.total, currency: 'CNY' } });
    }
    return reply(res, 404, { code: 'NOT_FOUND', message: `${req.method} ${url.pathname}` });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => reply(res, 500, { code: 'SYSTEM_ERROR', message: err.message }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  function markPaid(orderId: string): TestOrder {
    const order = orders.get(orderId);
    if (!order) throw new Error(`test WeChat has no order ${orderId}`);
    if (order.trade_state === 'NOTPAY') {
      order.trade_state = 'SUCCESS';
      order.transaction_id = `42000${randomBytes(10).toString('hex')}`;
    }
    return order;
  }

  return {
    baseUrl,
    orders,
    refunds,
    mode,
    get rejectedRequests() {
      return state.rejected;
    },
    markPaid,
    notification(orderId, over = {}) {
      const order = orders.get(orderId);
      if (!order) throw new Error(`test WeChat has no order ${orderId}`);
      const transaction = {
        appid: order.appid,
        mchid: order.mchid,
        out_trade_no: order.out_trade_no,
        transaction_id: order.transaction_id ?? `42000${randomBytes(10).toString('hex')}`,
        trade_type: 'NATIVE',
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        bank_type: 'OTHERS',
        success_time: new Date().toISOString(),
        payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
        amount: { total: order.amount.total, payer_total: order.amount.total, currency: 'CNY', payer_currency: 'CNY' },
        ...over.transaction,
      };
      const iv = randomBytes(6).toString('hex'); // 12 characters, as WeChat's nonces are
      const cipher = createCipheriv('aes-256-gcm', Buffer.from(keys.apiV3Key, 'utf8'), Buffer.from(iv, 'utf8'));
      cipher.setAAD(Buffer.from('transaction', 'utf8'));
      const ct = Buffer.concat([cipher.update(JSON.stringify(transaction), 'utf8'), cipher.final(), cipher.getAuthTag()]);
      const body = JSON.stringify({
        id: randomUUID(),
        create_time: new Date().toISOString(),
        resource_type: 'encrypt-resource',
        event_type: 'TRANSACTION.SUCCESS',
        summary: '支付成功',
        resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: ct.toString('base64'), associated_data: 'transaction', nonce: iv },
      });
      const ts = String(over.timestamp ?? Math.floor(Date.now() / 1000));
      const nonce = over.nonce ?? randomBytes(16).toString('hex').toUpperCase();
      const key = over.signWith === 'merchant' ? keys.merchantPrivatePem : keys.platformPrivate;
      return {
        url: order.notify_url,
        body,
        headers: {
          'content-type': 'application/json',
          'wechatpay-timestamp': ts,
          'wechatpay-nonce': nonce,
          'wechatpay-serial': over.serial ?? serial,
          'wechatpay-signature': sign(key, `${ts}\n${nonce}\n${body}\n`),
          'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
        },
      };
    },
    async send(n) {
      const res = await fetch(n.url, { method: 'POST', headers: n.headers, body: n.body });
      return { status: res.status, body: await res.text() };
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
