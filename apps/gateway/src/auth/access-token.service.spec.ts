import { JwtService } from '@nestjs/jwt';
import type { GatewayConfig } from '../config/gateway-config';
import { AccessTokenService, jwtOptions } from './access-token.service';
import { InvalidAccessToken } from './invalid-access-token';

describe('AccessTokenService', () => {
  const config = { jwtSecret: 'a-test-secret-of-enough-length-0123456789', tokenTtlSeconds: 60 } as GatewayConfig;
  const jwt = new JwtService(jwtOptions(config));
  const tokens = new AccessTokenService(jwt, config);

  afterEach(() => jest.restoreAllMocks());

  it('verifies a token once and then only checks its times: an expired token is refused though it was valid before', async () => {
    const { accessToken } = await tokens.issue('demo');
    const verify = jest.spyOn(jwt, 'verifyAsync');
    expect(await tokens.verify(accessToken)).toBe('demo');
    expect(await tokens.verify(accessToken)).toBe('demo');
    expect(verify).toHaveBeenCalledTimes(1);

    const later = Date.now() + 61_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    await expect(tokens.verify(accessToken)).rejects.toEqual(new InvalidAccessToken('expired'));
  });

  it('does not take a token that differs from a verified one by its signature', async () => {
    const { accessToken } = await tokens.issue('demo');
    expect(await tokens.verify(accessToken)).toBe('demo');
    const forged = `${accessToken.slice(0, -2)}${accessToken.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(tokens.verify(forged)).rejects.toBeInstanceOf(InvalidAccessToken);
  });
});
