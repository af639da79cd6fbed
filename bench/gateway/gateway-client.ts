import { GATEWAY_CLIENT } from './gateway-system';

/** One tea, paid by a card that is not declined: an order the system confirms while there is stock. */
export const ORDER_BODY = JSON.stringify({ items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: 'visa' });

/** An access token of the bench's client (client credentials grant). */
export async function accessToken(url: string): Promise<string> {
  const res = await fetch(`${url}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${GATEWAY_CLIENT.id}&client_secret=${GATEWAY_CLIENT.secret}`,
  });
  if (!res.ok) throw new Error(`token: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Places one order; its id. */
export async function placeOrder(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: ORDER_BODY,
  });
  if (res.status !== 202) throw new Error(`place order: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** An order's status as the gateway reads it. */
export async function orderStatus(url: string, token: string, orderId: string): Promise<string> {
  const res = await fetch(`${url}/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`read order ${orderId}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { status: string }).status;
}
