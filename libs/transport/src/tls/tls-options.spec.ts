import { natsTlsOptions } from '../nats/nats-connection';
import { redisTlsOptions } from '../redis/redis-connection';
import type { TransportTls } from './tls-config';
import { mutualTlsServerOptions, tlsClientOptions } from './tls-options';

const material: TransportTls = { ca: Buffer.from('CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY') };
const named: TransportTls = { ...material, serverName: 'orders.internal' };

describe('TLS options', () => {
  it('servers require a client certificate from the CA', () => {
    expect(mutualTlsServerOptions(material)).toMatchObject({ ca: material.ca, requestCert: true, rejectUnauthorized: true });
  });

  it('clients check the server against TLS_SERVER_NAME, else a host name (an IP address is checked without SNI)', () => {
    expect(tlsClientOptions(named, '10.0.0.5')).toMatchObject({ servername: 'orders.internal', rejectUnauthorized: true });
    expect(tlsClientOptions(material, 'orders')).toMatchObject({ servername: 'orders' });
    expect(tlsClientOptions(material, '127.0.0.1')).not.toHaveProperty('servername');
    expect(tlsClientOptions(material)).not.toHaveProperty('servername');
  });

  it('NATS: TLS with the material; a tls:// URL alone still requires TLS; otherwise none', () => {
    const config = { natsUrl: '', instanceId: 'i' };
    expect(natsTlsOptions({ ...config, tls: named }, ['nats://a:4222'])).toEqual({
      ca: 'CA',
      cert: 'CERT',
      key: 'KEY',
      servername: 'orders.internal',
    });
    expect(natsTlsOptions(config, ['nats://a:4222', 'TLS://b:4222'])).toEqual({});
    expect(natsTlsOptions(config, ['nats://a:4222', 'b:4222'])).toBeUndefined();
  });

  it('Redis: TLS with the material whatever the scheme; otherwise left to the URL (rediss://)', () => {
    expect(redisTlsOptions(material).tls).toMatchObject({ ca: material.ca, cert: material.cert, key: material.key });
    expect(redisTlsOptions(undefined)).toEqual({});
  });
});
