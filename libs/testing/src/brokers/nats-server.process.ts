import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from './broker-process';
import type { CertificateFiles } from './test-certificates';

export interface NatsServerOptions {
  /** TLS only, with this certificate; client certificates from the CA required. */
  tls?: CertificateFiles;
}

/**
 * nats-server with JetStream, its store in a temporary folder that `dispose` removes; with `tls`, it speaks TLS
 * only and requires a client certificate signed by the CA (`--tlsverify`).
 */
export class NatsServerProcess extends BrokerProcess {
  readonly storeDir = mkdtempSync(join(tmpdir(), 'sb-nats-'));

  constructor(private readonly options: NatsServerOptions = {}) {
    super();
  }

  protected command() {
    const { tls } = this.options;
    const tlsArgs = tls ? ['--tlsverify', '--tlscert', tls.cert, '--tlskey', tls.key, '--tlscacert', tls.ca] : [];
    return {
      bin: process.env.NATS_SERVER_BIN || 'nats-server',
      args: ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir, ...tlsArgs],
    };
  }

  get url(): string {
    return `${this.options.tls ? 'tls' : 'nats'}://127.0.0.1:${this.port}`;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
