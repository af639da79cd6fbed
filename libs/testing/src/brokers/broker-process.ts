import { ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port';

/**
 * A real broker (nats-server, redis-server) run by a test on a free loopback port. `stop` kills it (SIGKILL by
 * default: a crash, not a goodbye), `start` brings it back on the same port.
 */
export abstract class BrokerProcess {
  port = 0;
  private child?: ChildProcess;
  private output = '';

  protected abstract command(): { bin: string; args: string[] };
  abstract get url(): string;

  /** The broker's process id while it runs (the benchmark samples its CPU time). */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  async start(): Promise<this> {
    if (!this.port) this.port = await freePort();
    const { bin, args } = this.command();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    child.stdout?.on('data', (d) => (this.output = (this.output + d).slice(-4000)));
    child.stderr?.on('data', (d) => (this.output = (this.output + d).slice(-4000)));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`${bin} exited (${code}): ${this.output}`))),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + 10_000;
    while (!(await this.accepting())) {
      if (child.exitCode !== null) await exited;
      if (Date.now() > deadline) throw new Error(`${bin} did not listen on ${this.port}: ${this.output}`);
      await sleep(50);
    }
    return this;
  }

  /** Sends a signal without waiting (SIGSTOP freezes the broker with its connections open; SIGCONT thaws it). */
  signal(signal: NodeJS.Signals): void {
    if (this.child && this.child.exitCode === null) this.child.kill(signal);
  }

  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  private accepting(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }
}
