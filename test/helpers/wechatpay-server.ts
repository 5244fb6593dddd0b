/**
 * A test WeChat Pay API v3 server (Native orders) for tests only. It checks the merchant's
 * request signature as WeChat does, signs every response with the platform key (serial = the
 * certificate's, or the public key id in public-key mode), and sends payment notifications the
 * way WeChat does: signature headers over `timestamp\nnonce\nbody\n` and the transaction encrypted
 * with AES-256-GCM under the API v3 key. `notification()` returns one to tamper with.
 */
import { createSign, createVerify, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WechatTestKeys } from './wechatpay-keys.js';
import { signNotification, type NotificationTampering, type TestNotification } from './wechatpay-notification.js';

export type { TestNotification } from './wechatpay-notification.js';

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

/** A refund as the test WeChat keeps it (`status` moves with `setRefundStatus`). */
export interface TestRefund {
  out_refund_no: string;
  refund_id: string;
  out_trade_no: string;
  amount: number;
  status: 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';
  success_time?: string;
}

export interface WechatTestServer {
  baseUrl: string;
  orders: Map<string, TestOrder>;
  refunds: Map<string, TestRefund>;
  /** Requests refused for a bad merchant signature. */
  rejectedRequests: number;
  /** Refund requests to answer with a 500 SYSTEM_ERROR before taking one (a WeChat outage). */
  failRefunds: number;
  /** Called when a close request arrives, before it is answered (e.g. the payer pays just then). */
  onClose?: (orderId: string) => void;
  mode: 'certificate' | 'public-key';
  /** Marks the order paid (as the payer's scan would) without notifying. */
  markPaid(orderId: string): TestOrder;
  /** Moves a refund on (as WeChat's bank side would); SUCCESS sets its success time. */
  setRefundStatus(refundId: string, status: TestRefund['status']): TestRefund;
  /** A `REFUND.<status>` notification for the refund as WeChat would send it. */
  refundNotification(refundId: string, over?: { refund?: Partial<Record<string, unknown>> } & NotificationTampering): TestNotification;
  /** A notification for the order as WeChat would send it; `over` tampers with its parts. */
  notification(orderId: string, over?: { transaction?: Partial<Record<string, unknown>> } & NotificationTampering): TestNotification;
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
  const refunds = new Map<string, TestRefund>();
  const serial = mode === 'certificate' ? keys.platformSerial : keys.publicKeyId;
  const state = { rejected: 0, failRefunds: 0 };
  const refundBody = (r: TestRefund, total: number) => ({
    refund_id: r.refund_id,
    out_refund_no: r.out_refund_no,
    out_trade_no: r.out_trade_no,
    status: r.status,
    ...(r.success_time ? { success_time: r.success_time } : {}),
    amount: { refund: r.amount, total, currency: 'CNY', payer_refund: r.amount, payer_total: total },
  });

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
        api.onClose?.(order.out_trade_no);
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
      if (state.failRefunds > 0) {
        state.failRefunds -= 1;
        return reply(res, 500, { code: 'SYSTEM_ERROR', message: 'system busy, try again' });
      }
      const order = orders.get(String(data.out_trade_no));
      const amount = data.amount as { refund: number; total: number };
      if (!order || order.trade_state === 'NOTPAY' || order.trade_state === 'CLOSED') return reply(res, 400, { code: 'RESOURCE_NOT_EXISTS', message: 'no paid order' });
      if (amount.total !== order.amount.total || amount.refund > order.amount.total) return reply(res, 400, { code: 'PARAM_ERROR', message: 'amount' });
      const rid = String(data.out_refund_no);
      const prior = refunds.get(rid);
      if (prior) return reply(res, 200, refundBody(prior, order.amount.total));
      // What was already paid back (or is on its way) for this order; a closed refund paid nothing.
      const out = [...refunds.values()].filter((r) => r.out_trade_no === order.out_trade_no && r.status !== 'CLOSED').reduce((a, r) => a + r.amount, 0);
      if (out + amount.refund > order.amount.total) return reply(res, 403, { code: 'NOT_ENOUGH', message: 'refund exceeds the amount paid' });
      const refund: TestRefund = { out_refund_no: rid, refund_id: `50${randomBytes(10).toString('hex')}`, out_trade_no: order.out_trade_no, amount: amount.refund, status: 'PROCESSING' };
      refunds.set(rid, refund);
      order.trade_state = 'REFUND';
      return reply(res, 200, refundBody(refund, order.amount.total));
    }
    const rq = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && rq) {
      const refund = refunds.get(decodeURIComponent(rq[1]!));
      if (!refund) return reply(res, 404, { code: 'RESOURCE_NOT_EXISTS', message: 'refund does not exist' });
      return reply(res, 200, refundBody(refund, orders.get(refund.out_trade_no)?.amount.total ?? refund.amount));
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

  const signedNotification = (url: string, eventType: string, summary: string, type: string, payload: unknown, over: NotificationTampering) =>
    signNotification(keys, { url, eventType, summary, originalType: type, payload, serial }, over);

  function setRefundStatus(refundId: string, status: TestRefund['status']): TestRefund {
    const refund = refunds.get(refundId);
    if (!refund) throw new Error(`test WeChat has no refund ${refundId}`);
    refund.status = status;
    if (status === 'SUCCESS') refund.success_time = new Date().toISOString();
    return refund;
  }

  const api: WechatTestServer = {
    baseUrl,
    orders,
    refunds,
    mode,
    get rejectedRequests() {
      return state.rejected;
    },
    get failRefunds() {
      return state.failRefunds;
    },
    set failRefunds(n: number) {
      state.failRefunds = n;
    },
    markPaid,
    setRefundStatus,
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
      return signedNotification(order.notify_url, 'TRANSACTION.SUCCESS', '支付成功', 'transaction', transaction, over);
    },
    refundNotification(refundId, over = {}) {
      const refund = refunds.get(refundId);
      if (!refund) throw new Error(`test WeChat has no refund ${refundId}`);
      const order = orders.get(refund.out_trade_no)!;
      const resource = {
        mchid: order.mchid,
        transaction_id: order.transaction_id,
        out_trade_no: order.out_trade_no,
        refund_id: refund.refund_id,
        out_refund_no: refund.out_refund_no,
        refund_status: refund.status,
        ...(refund.success_time ? { success_time: refund.success_time } : {}),
        user_received_account: '支付用户零钱',
        amount: { total: order.amount.total, refund: refund.amount, payer_total: order.amount.total, payer_refund: refund.amount },
        ...over.refund,
      };
      return signedNotification(order.notify_url, `REFUND.${refund.status}`, '退款状态', 'refund', resource, over);
    },
    async send(n) {
      const res = await fetch(n.url, { method: 'POST', headers: n.headers, body: n.body });
      return { status: res.status, body: await res.text() };
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
  return api;
}
