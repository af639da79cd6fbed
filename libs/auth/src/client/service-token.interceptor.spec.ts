import { JwtService } from '@nestjs/jwt';
import { InventoryV1, PaymentsV1, MethodRef } from '@app/contracts';
import { composeInterceptors, OutboundCall } from '@app/transport';
import { AuthFixture } from '../testing/auth-fixture';
import { serviceTokenInterceptor, serviceTokenInterceptors } from './service-token.interceptor';

const claimsOf = (authorization: string) => JSON.parse(Buffer.from(authorization.split('.')[1], 'base64url').toString('utf8'));
const call = (method: MethodRef): OutboundCall => ({ method, payload: {}, body: '{}', metadata: { 'x-caller': 'orders' }, deadline: Date.now() + 1000 });

describe('serviceTokenInterceptor', () => {
  const fixture = new AuthFixture(['orders']);

  it('sends Bearer <token> addressed to the called service, keeping the rest of the call\'s metadata', async () => {
    const sent: OutboundCall[] = [];
    const send = composeInterceptors([serviceTokenInterceptor(fixture.issuer('orders'))], async (c) => sent.push(c));
    const original = call(PaymentsV1.methods.charge);
    await send(original);
    await send(call(InventoryV1.methods.reserve));
    expect(sent[0].metadata.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(claimsOf(sent[0].metadata.authorization)).toMatchObject({ iss: 'orders', aud: 'payments' });
    expect(claimsOf(sent[1].metadata.authorization)).toMatchObject({ iss: 'orders', aud: 'inventory' });
    expect(sent[0].metadata['x-caller']).toBe('orders');
    // The call's metadata is the call's own (RpcClient makes it per call): the token is set in it, not in a copy.
    expect(sent[0]).toBe(original);
  });

  it('reuses the cached token: one signature for many calls', async () => {
    const jwt = new JwtService();
    const sign = jest.spyOn(jwt, 'sign');
    const [interceptor] = serviceTokenInterceptors(fixture.issuer('orders', {}, jwt))(PaymentsV1);
    const send = composeInterceptors([interceptor], async (c) => c.metadata.authorization);
    const tokens = new Set(await Promise.all(Array.from({ length: 200 }, () => send(call(PaymentsV1.methods.charge)))));
    expect(tokens.size).toBe(1);
    expect(sign).toHaveBeenCalledTimes(1);
  });
});
