/**
 * Why a bearer token was refused: `expired`, or `invalid` with an optional fixed detail for the developer
 * (`wrong audience`). The message becomes the 401's `error_description`: it never contains the token or a claim.
 */
export class InvalidAccessToken extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid',
    detail?: string,
  ) {
    super(reason === 'expired' ? 'access token expired' : detail ? `access token is invalid: ${detail}` : 'access token is invalid');
    this.name = 'InvalidAccessToken';
  }
}
