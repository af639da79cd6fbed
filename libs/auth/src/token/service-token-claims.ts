/** The audience of event tokens: events fan out to every subscriber, so they are addressed to the bus. */
export const EVENTS_AUDIENCE = 'events';

/** The claims of a service token. `iss` = `sub` = the calling service; `aud` = the target service (or `events`). */
export interface ServiceTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  /** Space-separated scopes granted to the caller for the target; absent when none. */
  scope?: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
}

/** Who called, once the token is verified: the service and the scopes the policy grants it here. */
export interface CallerIdentity {
  readonly service: string;
  readonly scopes: readonly string[];
}
