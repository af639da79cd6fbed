import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A V8 CPU profile of the measured window only (start-up and warm-up left out), written as a .cpuprofile that
 * Chrome DevTools and speedscope open. Off unless the orchestrator passed BENCH_CPU_PROF_DIR.
 */
export class WindowProfiler {
  private session?: Session;

  constructor(
    private readonly dir = process.env.BENCH_CPU_PROF_DIR,
    private readonly name = process.env.BENCH_CPU_PROF_NAME ?? `bench-${process.pid}`,
  ) {}

  start(): void {
    if (!this.dir || this.session) return;
    const session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 200 });
    session.post('Profiler.start');
    this.session = session;
  }

  /** Stops and writes `<dir>/<name>-<label>.cpuprofile`. */
  stop(label: string): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session || !this.dir) return Promise.resolve();
    const file = join(this.dir, `${this.name}-${label}.cpuprofile`);
    return new Promise((resolve) =>
      session.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(file, JSON.stringify(result.profile));
        session.disconnect();
        resolve();
      }),
    );
  }
}
