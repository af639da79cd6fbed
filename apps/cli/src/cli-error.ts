/** A failure the CLI explains in one message and an exit code: 2 for a usage mistake, 1 for anything else. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(`${message}\nRun with --help for usage.`, 2);
