import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { FromWorker, RunResult, SelfSample, ToWorker } from './worker-messages';

export interface WorkerOptions {
  /** Write a V8 CPU profile of each measured window of the worker to this folder (`--cpu-prof`). */
  cpuProfDir?: string;
  /** Name of the profile files (`<name>-<cell>.cpuprofile`). */
  profileName?: string;
  /** Variables set for this worker on top of the run's environment. */
  env?: NodeJS.ProcessEnv;
  /** Where the worker's stdout goes (default: the bench's console). Its stderr always goes to the console. */
  stdout?: 'inherit' | 'ignore';
}

/** A worker child process (TypeScript run through @swc-node/register) and its message protocol. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly listeners = new Set<(message: FromWorker) => void>();
  private exited = false;
  private failure?: string;

  constructor(script: string, job: unknown, options: WorkerOptions = {}) {
    const profiling = options.cpuProfDir ? { BENCH_CPU_PROF_DIR: options.cpuProfDir, BENCH_CPU_PROF_NAME: options.profileName } : {};
    this.child = fork(join(__dirname, script), [], {
      execArgv: ['-r', '@swc-node/register'],
      env: { ...process.env, ...options.env, ...profiling, BENCH_JOB: JSON.stringify(job), SWC_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.json') },
      stdio: ['ignore', options.stdout ?? 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: FromWorker) => {
      if (message.type === 'failed') this.failure = message.message;
      for (const listener of [...this.listeners]) listener(message);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.failure ??= `worker ${script} (pid ${this.child.pid}) exited with ${signal ?? code}`;
      for (const listener of [...this.listeners]) listener({ type: 'failed', message: this.failure });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('worker has no pid');
    return this.child.pid;
  }

  /** Resolves with the first message of `type` (rejects if the worker fails or exits first, or after `timeoutMs`). */
  next<T extends FromWorker['type']>(type: T, timeoutMs = 120_000): Promise<Extract<FromWorker, { type: T }>> {
    if (this.exited) return Promise.reject(new Error(this.failure));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no "${type}" from the worker within ${timeoutMs} ms`)), timeoutMs);
      const listener = (message: FromWorker) => {
        if (message.type === type) done(undefined, message as Extract<FromWorker, { type: T }>);
        else if (message.type === 'failed') done(new Error(message.message));
      };
      const done = (error?: Error, message?: Extract<FromWorker, { type: T }>) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error) reject(error);
        else resolve(message!);
      };
      this.listeners.add(listener);
    });
  }

  /** Sends a message; throws (with why) when the worker is gone. */
  send(message: ToWorker): void {
    if (this.exited || !this.child.connected) throw new Error(this.failure ?? 'worker disconnected');
    this.child.send(message);
  }

  async sample(): Promise<SelfSample> {
    const reply = this.next('sample', 10_000);
    this.send({ type: 'sample' });
    return (await reply).sample;
  }

  /** Runs one measured load; `onWindow` is called at the window's start and end (CPU sampling). */
  async run(request: Extract<ToWorker, { type: 'run' }>, onWindow: (edge: 'start' | 'end') => void): Promise<RunResult> {
    const spanMs = request.load.warmupMs + request.load.durationMs + 60_000;
    const started = this.next('window-start', spanMs);
    const ended = this.next('window-end', spanMs);
    const result = this.next('result', spanMs);
    // Only the first failure is reported: the other waits would reject with the same one.
    for (const wait of [started, ended, result]) wait.catch(() => undefined);
    this.send(request);
    await started;
    onWindow('start');
    await ended;
    onWindow('end');
    return (await result).result;
  }

  /** Asks the worker to close and exit (so a CPU profile is written); kills it if it does not within 10 s. */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
