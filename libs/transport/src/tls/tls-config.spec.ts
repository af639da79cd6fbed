import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCertificates } from '@app/testing/brokers/test-certificates';
import { loadTransportConfig } from '../config/transport-config';
import { loadTlsConfig } from './tls-config';

describe('loadTlsConfig', () => {
  let certs: TestCertificates;
  let other: TestCertificates;
  const env = (overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    TLS_CA_FILE: join(certs.dir, 'ca.pem'),
    TLS_CERT_FILE: join(certs.dir, '{service}.pem'),
    TLS_KEY_FILE: join(certs.dir, '{service}.key.pem'),
    ...overrides,
  });
  const message = (load: () => unknown): string => {
    try {
      load();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected an error');
  };

  beforeAll(() => {
    certs = TestCertificates.make(['orders', 'inventory']);
    other = TestCertificates.make(['orders']);
  });
  afterAll(() => {
    certs.dispose();
    other.dispose();
  });

  it('gives no TLS when none of the files is set', () => {
    expect(loadTlsConfig({}, 'orders')).toBeUndefined();
    expect(loadTransportConfig({}).tls).toBeUndefined();
  });

  it("reads the PEM files, {service} replaced by the service's name", () => {
    const tls = loadTlsConfig(env(), 'inventory');
    expect(tls).toEqual({
      ca: readFileSync(join(certs.dir, 'ca.pem')),
      cert: readFileSync(join(certs.dir, 'inventory.pem')),
      key: readFileSync(join(certs.dir, 'inventory.key.pem')),
    });
    expect(loadTransportConfig(env(), {}, 'orders').tls?.cert).toEqual(readFileSync(join(certs.dir, 'orders.pem')));
  });

  it('takes TLS_SERVER_NAME as the name to check server certificates against', () => {
    expect(loadTlsConfig(env({ TLS_SERVER_NAME: 'orders.internal' }), 'orders')?.serverName).toBe('orders.internal');
    expect(message(() => loadTlsConfig(env({ TLS_SERVER_NAME: 'not a name' }), 'orders'))).toMatch(/^TLS_SERVER_NAME must be/);
    expect(message(() => loadTlsConfig({ TLS_SERVER_NAME: 'orders.internal' }, 'orders'))).toMatch(/TLS_SERVER_NAME is set, but not/);
  });

  it('wants all three files or none, naming what is missing', () => {
    expect(message(() => loadTlsConfig(env({ TLS_KEY_FILE: '' }), 'orders'))).toBe(
      'TLS: TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE go together; TLS_CA_FILE, TLS_CERT_FILE set but TLS_KEY_FILE missing',
    );
    expect(message(() => loadTlsConfig({ TLS_CERT_FILE: 'x.pem' }, 'orders'))).toMatch(/TLS_CERT_FILE set but TLS_CA_FILE, TLS_KEY_FILE missing/);
  });

  it('refuses {service} where no service name is known', () => {
    expect(message(() => loadTlsConfig(env()))).toBe('TLS_CERT_FILE contains {service}, but no service name is known here');
  });

  it('names the variable and the path of a file it cannot read', () => {
    const missing = join(certs.dir, 'payments.key.pem');
    expect(message(() => loadTlsConfig(env({ TLS_KEY_FILE: missing }), 'orders'))).toBe(`TLS_KEY_FILE: cannot read "${missing}" (ENOENT)`);
    expect(message(() => loadTlsConfig(env({ TLS_CA_FILE: certs.dir }), 'orders'))).toBe(`TLS_CA_FILE: cannot read "${certs.dir}" (EISDIR)`);
  });

  it('refuses files that are not what their variable says, without printing their contents', () => {
    const keyPem = readFileSync(join(certs.dir, 'orders.key.pem'), 'utf8');
    const keyBody = keyPem.split('\n')[1];
    const notPem = join(certs.dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello');
    const cases = [
      [env({ TLS_CA_FILE: notPem }), /^TLS_CA_FILE: ".*not-pem.txt" is not a PEM file$/],
      [env({ TLS_CERT_FILE: join(certs.dir, 'orders.key.pem') }), /^TLS_CERT_FILE: ".*orders.key.pem" is not a PEM certificate$/],
      [env({ TLS_KEY_FILE: join(certs.dir, 'orders.pem') }), /^TLS_KEY_FILE: ".*orders.pem" is not a PEM private key/],
      [env({ TLS_KEY_FILE: join(certs.dir, 'inventory.key.pem') }), /^TLS_KEY_FILE: ".*inventory.key.pem" is not the private key of the certificate/],
      [env({ TLS_KEY_FILE: join(other.dir, 'orders.key.pem') }), /is not the private key of the certificate in TLS_CERT_FILE/],
    ] as const;
    for (const [vars, expected] of cases) {
      const text = message(() => loadTlsConfig(vars, 'orders'));
      expect(text).toMatch(expected);
      expect(text).not.toContain(keyBody);
      expect(text).not.toContain('BEGIN');
    }
  });

  it('refuses an expired certificate of its own', () => {
    const expired = certs.expired('orders');
    const text = message(() => loadTlsConfig({ TLS_CA_FILE: expired.ca, TLS_CERT_FILE: expired.cert, TLS_KEY_FILE: expired.key }));
    expect(text).toMatch(/^TLS_CERT_FILE: the certificate in ".*" expired on Jan  2 00:00:00 2020 GMT$/);
  });

  it('lets a config override take the place of the files', () => {
    const tls = certs.tls('orders');
    expect(loadTransportConfig({ TLS_CA_FILE: 'unreadable' }, { tls }).tls).toBe(tls);
    expect(loadTransportConfig(env(), { tls: undefined }, 'orders').tls).toBeUndefined();
  });
});
