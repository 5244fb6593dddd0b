/**
 * Payment providers behind one interface, chosen by PAYMENT_PROVIDER: `dev` (the default for
 * `npm start`) opens a page of this service as the "QR code"; `wechat` is WeChat Pay API v3
 * Native (wechat-provider.ts). Everything after "the payer paid" is the same code path.
 */
import type { Config } from '../config/env.js';

export interface CreatedOrder {
  codeUrl: string;
  expiresAt: number; // ms since epoch
}

/** What the provider knows about one order (the source of truth reconciliation re-reads). */
export interface ProviderOrderState {
  state: 'paid' | 'open' | 'closed' | 'refunded' | 'missing';
  transactionId?: string;
  amount?: number;
  currency?: string;
  mchid?: string;
  appid?: string;
}

/**
 * A refund as the provider reports it. WeChat's `status`: PROCESSING, SUCCESS, CLOSED (closed
 * without paying back: a new refund must be made), ABNORMAL (could not be paid back, e.g. the
 * payer's card is gone: an operator resolves it in the merchant platform); `missing` when the
 * provider does not know the refund id.
 */
export interface ProviderRefund {
  refundId: string;
  status: 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL' | 'missing';
  /** The provider's own id of the refund (WeChat's `refund_id`). */
  providerRefundId?: string;
  /** When the money went back (ms since epoch), once SUCCESS. */
  successAt?: number;
}

export interface PaymentProvider {
  readonly name: 'dev' | 'wechat';
  /** Opens (or re-opens: same orderId and arguments → same order) a Native order for `amount` fen. */
  createOrder(order: { orderId: string; amount: number; description: string; expiresAt: number }): Promise<CreatedOrder>;
  /** The order's state at the provider. */
  queryOrder(orderId: string): Promise<ProviderOrderState>;
  /** Closes an unpaid order; resolves `paid` instead when the payer was faster. Idempotent. */
  closeOrder(orderId: string): Promise<'closed' | 'paid'>;
  /** Refunds a paid order (idempotent per refundId: a repeat answers the refund's current state). */
  refund(r: { orderId: string; refundId: string; amount: number; total: number; reason: string }): Promise<ProviderRefund>;
  /** The refund's current state at the provider (the source of truth when no notification came). */
  queryRefund(refundId: string): Promise<ProviderRefund>;
}

/**
 * The dev provider: the code URL is our own /dev/pay page; paying posts the same notification a
 * verified WeChat one would. It keeps no state of its own: orders are never paid "behind our
 * back", so a query answers `open`, close and refund only acknowledge (a refund succeeds at once).
 */
export function createDevProvider(cfg: { publicBaseUrl: string }): PaymentProvider {
  return {
    name: 'dev',
    async createOrder({ orderId, expiresAt }) {
      return { codeUrl: `${cfg.publicBaseUrl}/dev/pay/${encodeURIComponent(orderId)}`, expiresAt };
    },
    async queryOrder() {
      return { state: 'open' };
    },
    async closeOrder() {
      return 'closed';
    },
    async refund({ refundId }) {
      return { refundId, status: 'SUCCESS', successAt: Date.now() };
    },
    async queryRefund(refundId) {
      return { refundId, status: 'SUCCESS' };
    },
  };
}

/** The provider PAYMENT_PROVIDER names (the WeChat one loads its keys now and fails fast). */
export async function createPaymentProvider(config: Config): Promise<PaymentProvider> {
  if (config.payment.provider === 'dev') return createDevProvider({ publicBaseUrl: config.http.publicBaseUrl });
  const { createWechatProvider } = await import('./wechat-provider.js');
  return createWechatProvider(config.payment.wechat);
}

const providers = new WeakMap<Config, Promise<PaymentProvider>>();

/** One provider per configuration value (the API creates it on first use, keys loaded once). */
export function providerFor(config: Config): Promise<PaymentProvider> {
  let p = providers.get(config);
  if (!p) {
    p = createPaymentProvider(config);
    p.catch(() => providers.delete(config));
    providers.set(config, p);
  }
  return p;
}
