/**
 * A key id names the service that owns the key: `<service>:<label>` (`orders:20250601T120000Z`). Verification
 * accepts a token only when its key belongs to its issuer, so one service's key cannot speak for another.
 */
export const KEY_ID = /^([a-z][a-z0-9-]{0,62}):([A-Za-z0-9._-]{1,64})$/;

/** The owning service of a key id, or undefined when the id does not follow `<service>:<label>`. */
export function keyOwner(kid: string): string | undefined {
  return KEY_ID.exec(kid)?.[1];
}
