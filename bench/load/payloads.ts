export const PAYLOADS = ['small', 'large'] as const;
/** small: a request of about 200 bytes of JSON; large: about 16 KiB. */
export type PayloadSize = (typeof PAYLOADS)[number];

const REQUEST_BYTES: Record<PayloadSize, number> = { small: 200, large: 16 * 1024 };
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';

/** The `text` of an echo request whose JSON encoding (`{"text":"..."}`) is the payload's size. */
export function echoText(size: PayloadSize): string {
  const length = REQUEST_BYTES[size] - '{"text":""}'.length;
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[(i * 7) % ALPHABET.length];
  return text;
}

export function payloadBytes(size: PayloadSize): number {
  return REQUEST_BYTES[size];
}
