/**
 * Fields never written to a log: credentials in headers and bodies, at the top level and one or two levels down.
 * The request serializer logs no headers and no query string at all; this is the second line of defence.
 */
export const REDACTED_PATHS = [
  'authorization',
  'password',
  'secret',
  'token',
  'client_secret',
  'access_token',
  'refresh_token',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.client_secret',
  '*.access_token',
  '*.refresh_token',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["x-api-key"]',
];

export const REDACTED = '[redacted]';
