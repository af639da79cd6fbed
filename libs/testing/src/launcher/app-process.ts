import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

/**
 * A built app (dist/apps/<app>/main.js) run as its own process, as a user runs it. Keeps the tail of its output
 * for failure messages; `stop` sends SIGTERM and waits for a graceful exit.
 */
export class AppProcess {
  private child?: ChildProcess;
  private output = '';
  exitCode: number | null = null;

  constructor(
    readonly app: string,
    private readonly env: NodeJS.ProcessEnv,
    /** How much output `logs` keeps (the tail); Infinity keeps all of it. */
    private readonly keepChars = 20_000,
    /** Node options that NODE_OPTIONS does not take (`--cpu-prof`), put before the app's main. */
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  static builtPath(app: string): string {
    return join(ROOT, 'dist', 'apps', app, 'main.js');
  }

  start(): this {
    const main = AppProcess.builtPath(this.app);
    if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
    const child = spawn(process.execPath, [...this.nodeArgs, main], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-this.keepChars));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code) => (this.exitCode = code));
    return this;
  }

  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT...) without waiting. */
  signal(signal: NodeJS.Signals): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** kill -9 (or another signal), resolved once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How the process ended (`SIGKILL`, `exit 1`...), or `running`. */
  get ending(): string {
    if (!this.child || this.running) return 'running';
    return this.child.signalCode ?? `exit ${this.child.exitCode}`;
  }

  /** The process id while it runs (the benchmark samples its CPU time and memory). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logs(): string {
    return this.output;
  }

  /** Waits until the app's output contains `text` (or it exits, or time runs out). */
  async waitForLog(text: string, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (this.exitCode !== null) throw new Error(`${this.app} exited (${this.exitCode}):\n${this.output}`);
      if (Date.now() > until) throw new Error(`${this.app} did not log "${text}" within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Sends SIGTERM and waits for the exit; SIGKILL after `timeoutMs`. Returns how it ended: `graceful` when it exited
   * 0 or by the SIGTERM it re-raised after closing (Nest's shutdown hooks do that), else what happened.
   */
  async stop(timeoutMs = 15_000): Promise<string> {
    const child = this.child;
    if (!child) return 'never started';
    if (child.exitCode !== null || child.signalCode !== null) return `had already exited (${child.exitCode ?? child.signalCode})`;
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    child.kill('SIGTERM');
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const [code, signal] = await exited;
    clearTimeout(timer);
    if (forced) return `killed after ${timeoutMs} ms`;
    return code === 0 || signal === 'SIGTERM' ? 'graceful' : `exited (${code ?? signal})`;
  }
}
