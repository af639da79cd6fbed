import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TransportTls } from '@app/transport';

const SCRIPT = resolve(__dirname, '../../../../scripts/make-dev-certs.sh');

/** Paths of one name's certificate and key, and of the CA that signed it. */
export interface CertificateFiles {
  ca: string;
  cert: string;
  key: string;
}

/**
 * TLS material for tests, made offline in a temporary folder by `scripts/make-dev-certs.sh` (the script users
 * run): a CA and a certificate per name (SAN localhost and 127.0.0.1). `expired` adds a certificate of that CA
 * that is no longer valid; another `TestCertificates` is another CA. `dispose` removes the folder.
 */
export class TestCertificates {
  private constructor(readonly dir: string) {}

  static make(names: readonly string[]): TestCertificates {
    const certs = new TestCertificates(mkdtempSync(join(tmpdir(), 'sb-certs-')));
    execFileSync('bash', [SCRIPT, certs.dir, ...names], { stdio: ['ignore', 'ignore', 'pipe'] });
    return certs;
  }

  files(name: string): CertificateFiles {
    return { ca: join(this.dir, 'ca.pem'), cert: join(this.dir, `${name}.pem`), key: join(this.dir, `${name}.key.pem`) };
  }

  /** The material a transport config takes, as TLS_* files of `name` would give it. */
  tls(name: string, serverName?: string): TransportTls {
    const files = this.files(name);
    return {
      ca: readFileSync(files.ca),
      cert: readFileSync(files.cert),
      key: readFileSync(files.key),
      ...(serverName && { serverName }),
    };
  }

  /**
   * A certificate for `name` signed by this CA, valid for one day in 2020 (`openssl ca` with explicit dates:
   * `openssl x509 -days` cannot go negative, and `-not_after` needs OpenSSL 3.4).
   */
  expired(name: string): CertificateFiles {
    const work = join(this.dir, `expired-${name}`);
    mkdirSync(work, { recursive: true });
    const ca = this.files('').ca;
    const key = join(work, 'key.pem');
    const cert = join(work, 'cert.pem');
    writeFileSync(join(work, 'index.txt'), '');
    writeFileSync(join(work, 'serial'), '01\n');
    writeFileSync(
      join(work, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = dev',
        '[dev]',
        `database = ${join(work, 'index.txt')}`,
        `serial = ${join(work, 'serial')}`,
        `new_certs_dir = ${work}`,
        'default_md = sha256',
        'policy = any',
        'unique_subject = no',
        '[any]',
        'commonName = supplied',
        '[leaf]',
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature, keyEncipherment',
        'extendedKeyUsage = serverAuth, clientAuth',
        `subjectAltName = DNS:${name}, DNS:localhost, IP:127.0.0.1`,
        '',
      ].join('\n'),
    );
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
    openssl('req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', join(work, 'csr.pem'));
    const signing = ['-config', join(work, 'ca.cnf'), '-cert', ca, '-keyfile', join(this.dir, 'ca.key.pem'), '-extensions', 'leaf'];
    const dates = ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z'];
    openssl('ca', '-batch', '-notext', ...signing, ...dates, '-in', join(work, 'csr.pem'), '-out', cert);
    return { ca, cert, key };
  }

  /** The material of an expired certificate of `name` (see `expired`). */
  expiredTls(name: string): TransportTls {
    const files = this.expired(name);
    return { ca: readFileSync(files.ca), cert: readFileSync(files.cert), key: readFileSync(files.key) };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
