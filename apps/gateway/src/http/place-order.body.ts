import { z } from 'zod';
import { Quantity, Sku } from '@app/contracts';
import { RpcError, StatusCode, validationIssues } from '@app/transport';

export const MAX_ORDER_ITEMS = 100;

/** `required` for a missing field, zod's own message otherwise. */
const required = { error: (issue: { input: unknown }) => (issue.input === undefined ? 'required' : undefined) };

/**
 * The body of `POST /v1/orders`: what a customer may say about an order. The customer is not in it: it is the
 * authenticated client. Same limits as orders.v1 PlaceOrder, so a body that passes here is a valid request there.
 */
export const PlaceOrderBody = z
  .object({
    items: z
      .array(z.object({ sku: Sku, quantity: Quantity }).strict(), required)
      .min(1, 'at least one item is required')
      .max(MAX_ORDER_ITEMS, `at most ${MAX_ORDER_ITEMS} items per order`),
    paymentMethod: z.string(required).min(1).max(64),
  }, { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined) })
  .strict();
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

/**
 * Parses a request body with a zod schema, or throws INVALID_ARGUMENT (400 through the RpcErrorFilter) with a
 * message that names each bad field and `details.issues` = `[{path, message}]`.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = validationIssues(parsed.error);
  const message = `invalid ${what}: ${issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ')}`;
  throw new RpcError(StatusCode.INVALID_ARGUMENT, message, { issues });
}
