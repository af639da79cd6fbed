import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from './broker-process';
import type { CertificateFiles } from './test-certificates';

export interface NatsServerOptions {
  /** TLS only, with this certificate; client certificates from the CA required. */
  tls?: CertificateFiles;
  /** A member of a cluster: its JetStream server name, its route port and every member's route URL. */
  cluster?: { name: string; serverName: string; routePort: number; routes: string[] };
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
    const cluster = this.options.cluster;
    const clusterArgs = cluster
      ? ['--server_name', cluster.serverName, '--cluster_name', cluster.name, '--cluster', `nats://127.0.0.1:${cluster.routePort}`, '--routes', cluster.routes.join(',')]
      : [];
    return {
      bin: process.env.NATS_SERVER_BIN || 'nats-server',
      args: ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir, ...tlsArgs, ...clusterArgs],
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
