/**
 * WeChat Pay API v3 Native through `wechatpay-axios-plugin`: it signs every request with the
 * merchant key and verifies every 2xx response's signature against the platform certificates or
 * the WeChat Pay public key (both modes are one `certs` map). The base URL is configurable so
 * tests can point it at a local server that behaves like WeChat.
 */
import { Wechatpay } from 'wechatpay-axios-plugin';
import type { Config } from '../config/env.js';
import { ERRORS } from '../errors/index.js';
import type { PaymentProvider, ProviderOrderState, ProviderRefund } from './provider.js';
import { loadWechatKeys, type WechatKeys } from './wechat-keys.js';

type Call = (path: string, method: 'get' | 'post', data?: unknown, params?: Record<string, unknown>) => Promise<{ status: number; data: unknown }>;

/** `2024-01-02T03:04:05+08:00`: WeChat wants RFC 3339 with an offset; Beijing time by convention. */
export function wechatTime(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

const STATES: Record<string, ProviderOrderState['state']> = {
  SUCCESS: 'paid',
  NOTPAY: 'open',
  USERPAYING: 'open',
  CLOSED: 'closed',
  REVOKED: 'closed',
  PAYERROR: 'closed',
  REFUND: 'refunded',
};

const REFUND_STATUSES = new Set(['PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL']);

/** A refund answer (create or query) as our record keeps it; an unknown status counts as PROCESSING. */
function toRefund(refundId: string, data: unknown): ProviderRefund {
  const d = data as { out_refund_no?: string; refund_id?: string; status?: string; success_time?: string };
  const status = (REFUND_STATUSES.has(d.status ?? '') ? d.status : 'PROCESSING') as ProviderRefund['status'];
  const at = d.success_time ? Date.parse(d.success_time) : NaN;
  return {
    refundId: d.out_refund_no ?? refundId,
    status,
    ...(d.refund_id ? { providerRefundId: d.refund_id } : {}),
    ...(status === 'SUCCESS' && Number.isFinite(at) ? { successAt: at } : {}),
  };
}

interface AxiosLikeError {
  response?: { status?: number; data?: { code?: string; message?: string } };
  message?: string;
}

function providerError(op: string, err: unknown): Error {
  const e = err as AxiosLikeError;
  const code = e.response?.data?.code;
  const status = e.response?.status;
  return ERRORS.paymentProvider(`WeChat Pay ${op} failed: ${status ?? ''} ${code ?? ''} ${e.response?.data?.message ?? e.message ?? ''}`.trim(), {
    providerCode: code,
    providerStatus: status,
  });
}

/** Builds the provider from WECHATPAY_* settings (keys loaded at once, so a bad key fails start-up). */
export function createWechatProvider(cfg: Config['payment']['wechat'], keys: WechatKeys = loadWechatKeys(cfg)): PaymentProvider {
  const wxpay = new Wechatpay({
    mchid: keys.mchid,
    serial: keys.serial,
    privateKey: keys.privateKey,
    certs: Object.fromEntries(keys.verifiers),
    baseURL: cfg.baseUrl,
    timeout: 10_000,
  } as unknown as ConstructorParameters<typeof Wechatpay>[0]);
  const client = (wxpay as unknown as { client: { request: (p: string, m: string, d: unknown, c: object) => Promise<{ status: number; data: unknown }> } }).client;
  const call: Call = (path, method, data, params) => client.request(path, method, data, params ? { params } : {});
  const mchid = keys.mchid;

  async function queryOrder(orderId: string): Promise<ProviderOrderState> {
    try {
      const { data } = await call(`v3/pay/transactions/out-trade-no/${encodeURIComponent(orderId)}`, 'get', undefined, { mchid });
      const d = data as { trade_state?: string; transaction_id?: string; amount?: { total?: number; currency?: string }; mchid?: string; appid?: string };
      return {
        state: STATES[d.trade_state ?? ''] ?? 'open',
        ...(d.transaction_id ? { transactionId: d.transaction_id } : {}),
        ...(d.amount?.total !== undefined ? { amount: d.amount.total, currency: d.amount.currency ?? 'CNY' } : {}),
        ...(d.mchid ? { mchid: d.mchid } : {}),
        ...(d.appid ? { appid: d.appid } : {}),
      };
    } catch (err) {
      if ((err as AxiosLikeError).response?.status === 404) return { state: 'missing' };
      throw providerError('query', err);
    }
  }

  return {
    name: 'wechat',
    async createOrder({ orderId, amount, description, expiresAt }) {
      try {
        const { data } = await call('v3/pay/transactions/native', 'post', {
          appid: keys.appid,
          mchid,
          description: description.slice(0, 127),
          out_trade_no: orderId,
          time_expire: wechatTime(expiresAt),
          notify_url: cfg.notifyUrl,
          amount: { total: amount, currency: 'CNY' },
        });
        const codeUrl = (data as { code_url?: unknown }).code_url;
        if (typeof codeUrl !== 'string' || codeUrl === '') throw ERRORS.paymentProvider('WeChat Pay answered without code_url');
        return { codeUrl, expiresAt };
      } catch (err) {
        if ((err as { code?: string }).code === 'payment_provider_error') throw err;
        throw providerError('create order', err);
      }
    },
    queryOrder,
    async closeOrder(orderId) {
      try {
        await call(`v3/pay/transactions/out-trade-no/${encodeURIComponent(orderId)}/close`, 'post', { mchid });
        return 'closed';
      } catch (err) {
        const code = (err as AxiosLikeError).response?.data?.code;
        if (code === 'ORDER_PAID' || code === 'ORDERPAID') return 'paid';
        if (code === 'ORDER_CLOSED' || code === 'ORDER_NOT_EXIST') return 'closed';
        throw providerError('close', err);
      }
    },
    async refund({ orderId, refundId, amount, total, reason }) {
      try {
        const { data } = await call('v3/refund/domestic/refunds', 'post', {
          out_trade_no: orderId,
          out_refund_no: refundId,
          reason: reason.slice(0, 80),
          amount: { refund: amount, total, currency: 'CNY' },
        });
        return toRefund(refundId, data);
      } catch (err) {
        throw providerError('refund', err);
      }
    },
    async queryRefund(refundId) {
      try {
        const { data } = await call(`v3/refund/domestic/refunds/${encodeURIComponent(refundId)}`, 'get');
        return toRefund(refundId, data);
      } catch (err) {
        if ((err as AxiosLikeError).response?.data?.code === 'RESOURCE_NOT_EXISTS') return { refundId, status: 'missing' };
        throw providerError('refund query', err);
      }
    },
  };
}
