import { connect } from 'nats';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port';
import { NatsServerProcess } from './nats-server.process';

/**
 * A NATS cluster on loopback for tests: `size` nats-server processes with JetStream, routed to each other, so
 * streams, consumers and buckets can be kept on 3 servers. `url` lists every member (clients fail over between
 * them); `leaderOf` names the server leading a stream, to kill exactly that one.
 */
export class NatsCluster {
  readonly members: NatsServerProcess[] = [];
  readonly names: string[] = [];

  constructor(private readonly size = 3) {}

  async start(): Promise<this> {
    const name = `sb-${randomBytes(3).toString('hex')}`;
    const routePorts = await Promise.all(Array.from({ length: this.size }, () => freePort()));
    const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`);
    for (let i = 0; i < this.size; i++) {
      this.names.push(`n${i + 1}`);
      this.members.push(new NatsServerProcess({ cluster: { name, serverName: `n${i + 1}`, routePort: routePorts[i], routes } }));
    }
    await Promise.all(this.members.map((member) => member.start()));
    await this.untilJetStreamReady(30_000);
    return this;
  }

  get url(): string {
    return this.members.map((member) => member.url).join(',');
  }

  member(serverName: string): NatsServerProcess {
    const index = this.names.indexOf(serverName);
    if (index < 0) throw new Error(`no cluster member ${serverName}`);
    return this.members[index];
  }

  /** The server name of the stream's leader, as JetStream reports it (asked again while the cluster is busy). */
  async leaderOf(stream: string, withinMs = 30_000): Promise<string> {
    const nc = await connect({ servers: this.members.filter((m) => m.pid !== undefined).map((m) => m.url) });
    const deadline = Date.now() + withinMs;
    try {
      const jsm = await nc.jetstreamManager({ timeout: 10_000 });
      for (;;) {
        try {
          const leader = (await jsm.streams.info(stream)).cluster?.leader;
          if (leader) return leader;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
        if (Date.now() > deadline) throw new Error(`stream ${stream} has no leader after ${withinMs} ms`);
        await sleep(250);
      }
    } finally {
      await nc.close();
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.members.map((member) => member.dispose()));
  }

  /** Waits until the cluster has elected its JetStream meta leader (streams can be created). */
  private async untilJetStreamReady(withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    const nc = await connect({ servers: this.members.map((m) => m.url) });
    try {
      for (;;) {
        try {
          const info = (await nc.request('$JS.API.INFO', undefined, { timeout: 2000 })).json<{ error?: unknown }>();
          if (!info.error) return;
        } catch {
          // no meta leader yet
        }
        if (Date.now() > deadline) throw new Error(`the NATS cluster elected no JetStream leader within ${withinMs} ms`);
        await sleep(250);
      }
    } finally {
      await nc.close();
    }
  }
}
