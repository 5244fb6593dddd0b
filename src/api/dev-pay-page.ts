/**
 * The dev payment provider's "QR code" page: a self-contained HTML page with the amount and a
 * Pay button that POSTs back to the same URL (no scripts, no external assets).
 */
const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#222}
.card{border:1px solid #ddd;border-radius:12px;padding:1.5rem}.amount{font-size:2rem;font-weight:600}
button{font-size:1.1rem;padding:.6rem 1.6rem;border:0;border-radius:8px;background:#07c160;color:#fff;cursor:pointer}
small{color:#777}</style></head><body><div class="card">${body}</div></body></html>`;
}

/** GET /dev/pay/{orderId} */
export function renderDevPayPage(o: { orderId: string; jobId: string; amount: number; paid: boolean; closed?: boolean; action: string }): string {
  const action = o.paid
    ? '<p><strong>This order is already paid.</strong></p>'
    : o.closed
      ? '<p><strong>This order has expired and was closed.</strong> Ask for a new payment code.</p>'
      : `<form method="post" action="${escape(o.action)}"><button type="submit">Pay ${yuan(o.amount)}</button></form>`;
  return page(
    `Pay ${yuan(o.amount)} — sheetdiff (dev)`,
    `<h1>sheetdiff dev payment</h1><p class="amount">${yuan(o.amount)}</p>
<p>Order <code>${escape(o.orderId)}</code><br>Job <code>${escape(o.jobId)}</code></p>${action}
<p><small>Development payment provider: no money moves.</small></p>`,
  );
}

/** Answer to the Pay button. */
export function renderDevPaySent(o: { orderId: string; amount: number }): string {
  return page(
    'Payment sent — sheetdiff (dev)',
    `<h1>Payment sent</h1><p class="amount">${yuan(o.amount)}</p><p>Order <code>${escape(o.orderId)}</code>.
The job continues to the export; you can close this page.</p>`,
  );
}
