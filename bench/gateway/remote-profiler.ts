import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

/**
 * A V8 CPU profile of another process (an app started with `--inspect=<host:port>`), taken over the inspector
 * protocol for the measured window only, written as a .cpuprofile like the workers' (WindowProfiler).
 */
export class RemoteProfiler {
  private socket?: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly inspectorUrl: string,
    private readonly dir: string,
    private readonly name: string,
  ) {}

  async start(): Promise<void> {
    if (!this.socket) {
      const targets = (await (await fetch(`${this.inspectorUrl}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
      const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
        const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
        if (!waiter) return;
        this.pending.delete(message.id!);
        if (message.error) waiter.reject(new Error(message.error.message));
        else waiter.resolve(message.result);
      });
      this.socket = socket;
      await this.send('Profiler.enable');
      await this.send('Profiler.setSamplingInterval', { interval: 200 });
    }
    await this.send('Profiler.start');
  }

  /** Stops and writes `<dir>/<name>-<label>.cpuprofile`. */
  async stop(label: string): Promise<void> {
    const { profile } = (await this.send('Profiler.stop')) as { profile: unknown };
    writeFileSync(join(this.dir, `${this.name}-${label}.cpuprofile`), JSON.stringify(profile));
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private send(method: string, params?: object): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket!.send(JSON.stringify({ id, method, params }));
    });
  }
}
