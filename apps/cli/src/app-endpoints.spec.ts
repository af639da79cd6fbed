import { appUrl } from './app-endpoints';

describe('appUrl', () => {
  it('uses the ports the apps use, on loopback by default', () => {
    expect(appUrl('gateway', {})).toBe('http://127.0.0.1:3000');
    expect(appUrl('notifications', {})).toBe('http://127.0.0.1:3004');
    expect(appUrl('orders', { ORDERS_HTTP_PORT: '4101', CLI_HOST: 'orders.local' })).toBe('http://orders.local:4101');
    expect(appUrl('gateway', { PORT: '8080' })).toBe('http://127.0.0.1:8080');
  });

  it('takes an explicit <APP>_URL', () => {
    expect(appUrl('payments', { PAYMENTS_URL: 'https://payments.internal:8443/', PAYMENTS_HTTP_PORT: '1' })).toBe('https://payments.internal:8443');
  });

  it('refuses a port that is not one', () => {
    expect(() => appUrl('inventory', { INVENTORY_HTTP_PORT: 'http' })).toThrow(/INVENTORY_HTTP_PORT must be a port number; got "http"/);
    expect(() => appUrl('inventory', { INVENTORY_HTTP_PORT: '70000' })).toThrow(/INVENTORY_HTTP_PORT/);
  });
});
