import { Logger } from '@nestjs/common';

/** Runs an app's start function as a process entry point: a start-up failure is logged and exits with code 1. */
export function runMain(name: string, start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    new Logger(name).error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
