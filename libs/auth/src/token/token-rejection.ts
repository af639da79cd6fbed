/** Why a service token was refused. */
export type RejectionReason =
  | 'missing'
  | 'malformed'
  | 'algorithm'
  | 'unknown-key'
  | 'keys-unavailable'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-audience'
  | 'unknown-issuer'
  | 'wrong-issuer'
  | 'key-not-issuers'
  | 'claims'
  | 'lifetime';

const MESSAGES: Record<RejectionReason, string> = {
  missing: 'missing service token (authorization: Bearer <token>)',
  malformed: 'malformed service token',
  algorithm: 'service token algorithm is not accepted',
  'unknown-key': 'service token is signed with an unknown key id',
  'keys-unavailable': 'cannot verify the service token: no trusted keys loaded yet',
  'bad-signature': 'service token signature is invalid',
  expired: 'service token expired',
  'not-yet-valid': 'service token is not valid yet',
  'wrong-audience': 'service token is for another audience',
  'unknown-issuer': 'service token issuer is not a known service',
  'wrong-issuer': 'service token issuer did not publish this event type',
  'key-not-issuers': 'service token is signed with a key that does not belong to its issuer',
  claims: 'service token lacks a required claim (iss, sub = iss, aud, iat, nbf, exp, jti)',
  lifetime: 'service token lifetime is longer than allowed',
};

/** A refused service token. The message names the reason and never contains the token. */
export class TokenRejection extends Error {
  constructor(
    readonly reason: RejectionReason,
    detail?: string,
  ) {
    super(detail ? `${MESSAGES[reason]}: ${detail}` : MESSAGES[reason]);
    this.name = 'TokenRejection';
  }
}
