/** DI tokens of ServiceAuthModule. */
export const SERVICE_AUTH_CONFIG = Symbol('switchboard:service-auth-config');
/** This service's SigningKey. */
export const SIGNING_KEY = Symbol('switchboard:service-signing-key');
/** The VerificationKeys this service trusts. */
export const VERIFICATION_KEYS = Symbol('switchboard:service-verification-keys');
/** The JwtService of service tokens (kept apart from an app's own JwtModule). */
export const SERVICE_JWT = Symbol('switchboard:service-jwt');
/** A ClientInterceptorFactory that puts this service's token on every outgoing call. */
export const SERVICE_TOKEN_INTERCEPTORS = Symbol('switchboard:service-token-interceptors');
/** An EventMetadataStamp that puts this service's event token on every event it publishes. */
export const EVENT_TOKEN_STAMP = Symbol('switchboard:event-token-stamp');
