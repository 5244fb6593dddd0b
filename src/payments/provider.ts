/**
 * Payment providers behind one interface, chosen by PAYMENT_PROVIDER. `dev` (the default for
 * `npm start`) opens a page of this service as the "QR code"; `wechat` (WeChat Pay Native)
 * arrives with the payments issue.
 */
import type { Config } from '../config/env.js';
import { AppError } from '../errors/index.js';

export interface CreatedOrder {
  codeUrl: string;
  expiresAt: number; // ms since epoch
}

export interface PaymentProvider {
  readonly name: 'dev' | 'wechat';
  /** Opens (or re-opens: same orderId → same order) a Native order for `amount` fen. */
  createOrder(order: { orderId: string; amount: number; description: string; now: number }): Promise<CreatedOrder>;
}

/** The dev provider: the code URL is our own /dev/pay page; paying posts the same notification a verified WeChat one would. */
export function createDevProvider(cfg: { publicBaseUrl: string; orderTtlMs: number }): PaymentProvider {
  return {
    name: 'dev',
    async createOrder({ orderId, now }) {
      return { codeUrl: `${cfg.publicBaseUrl}/dev/pay/${encodeURIComponent(orderId)}`, expiresAt: now + cfg.orderTtlMs };
    },
  };
}

export function createPaymentProvider(config: Config): PaymentProvider {
  if (config.payment.provider === 'dev') {
    return createDevProvider({ publicBaseUrl: config.http.publicBaseUrl, orderTtlMs: config.payment.orderTtlMs });
  }
  throw new AppError('payment_provider_unavailable', 500, 'PAYMENT_PROVIDER=wechat is not available in this version; use dev');
}
