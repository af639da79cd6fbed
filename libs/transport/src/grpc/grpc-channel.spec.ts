import { channelTarget } from './grpc-channel';

describe('channelTarget', () => {
  it('uses a single address as it is', () => {
    expect(channelTarget('orders', ['orders.internal:50051'])).toBe('orders.internal:50051');
  });

  it('lists several IP addresses of one family for round robin', () => {
    expect(channelTarget('orders', ['127.0.0.1:1', '127.0.0.1:2'])).toBe('ipv4:127.0.0.1:1,127.0.0.1:2');
    expect(channelTarget('orders', ['[::1]:1', '[::1]:2'])).toBe('ipv6:[::1]:1,[::1]:2');
  });

  it('refuses several host names or mixed families, and a service without address', () => {
    expect(() => channelTarget('orders', ['a:1', 'b:2'])).toThrow(/IP literals/);
    expect(() => channelTarget('orders', ['127.0.0.1:1', '[::1]:2'])).toThrow(/IP literals/);
    expect(() => channelTarget('orders', undefined)).toThrow(/no gRPC address/);
  });
});
