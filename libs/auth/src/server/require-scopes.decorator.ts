import { SetMetadata } from '@nestjs/common';

export const REQUIRED_SCOPES = 'switchboard:required-scopes';

/**
 * The scopes a caller's service token must carry for this handler (method) or every handler (class), e.g.
 * `@RequireScopes('payments:charge')`. A caller without one of them gets PERMISSION_DENIED and the handler does
 * not run. Handlers without it only need a valid service token.
 */
export const RequireScopes = (...scopes: string[]) => SetMetadata(REQUIRED_SCOPES, scopes);
