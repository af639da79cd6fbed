import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps every line, so a spec can assert that no secret or token was ever logged. */
export class CaptureLogger implements LoggerService {
  readonly lines: string[] = [];

  log = (...parts: unknown[]) => this.keep(parts);
  error = (...parts: unknown[]) => this.keep(parts);
  warn = (...parts: unknown[]) => this.keep(parts);
  debug = (...parts: unknown[]) => this.keep(parts);
  verbose = (...parts: unknown[]) => this.keep(parts);

  get text(): string {
    return this.lines.join('\n');
  }

  private keep(parts: unknown[]): void {
    this.lines.push(parts.map((p) => (p instanceof Error ? `${p.message}\n${p.stack}` : typeof p === 'string' ? p : JSON.stringify(p))).join(' '));
  }
}
