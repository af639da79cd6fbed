import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { Logger, LoggerOptions } from 'pino';
import { REDACTED, REDACTED_PATHS } from './log-redaction';

/** `LOG_LEVEL` (trace..fatal, silent; default info) and `LOG_FORMAT` (`json`; `pretty` by default when NODE_ENV=development). */
export interface LogSettings {
  level: string;
  pretty: boolean;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function loadLogSettings(env: NodeJS.ProcessEnv = process.env): LogSettings {
  const level = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!LEVELS.includes(level)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}; got "${env.LOG_LEVEL}"`);
  const format = (env.LOG_FORMAT || (env.NODE_ENV === 'development' ? 'pretty' : 'json')).toLowerCase();
  if (format !== 'json' && format !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty; got "${env.LOG_FORMAT}"`);
  return { level, pretty: format === 'pretty' };
}

/** pino options: JSON lines with the active span's trace and span ids, redacted secrets, ISO times. */
export function loggerOptions(settings: LogSettings): LoggerOptions {
  return {
    level: settings.level,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getSpan(context.active());
      const spanContext = span?.spanContext();
      return spanContext && isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
    },
    transport: settings.pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
  };
}

let root: Logger | undefined;
let unredacted: Logger | undefined;
let destination: ReturnType<typeof pino.destination> | undefined;

/** Lines are written once this many bytes are buffered (under sonic-boom's 16 KiB write size), or every LOG_FLUSH_MS. */
const LOG_BUFFER_BYTES = 8 * 1024;
const LOG_FLUSH_MS = 100;

/**
 * The process's pino logger (one per process: the apps of the all-in-one `system` app share it). JSON goes to
 * stdout asynchronously and buffered: a write per 8 KiB of lines or per 100 ms, not a syscall per line (with one
 * line per call, that syscall cost more than the rest of a call); a warning or an error is written at once.
 * `flushLogs` at shutdown writes what is pending; a process killed with SIGKILL loses at most its last 100 ms of
 * `info` and `debug` lines.
 */
export function processLogger(): Logger {
  if (!root) {
    const settings = loadLogSettings();
    root = settings.pretty ? pino(loggerOptions(settings)) : pino(buffered(loggerOptions(settings)), sharedDestination());
  }
  return root;
}

/**
 * A logger without the redaction pass, to the same output, for lines made only of fields known to carry no secret
 * and that carry their own trace ids (the per-call lines: service, method, caller, code, duration, ids). Redaction walks every field of every line
 * for the wildcard paths: on a line per call it cost as much as writing the line.
 */
export function unredactedLogger(): Logger {
  if (!unredacted) {
    const settings = loadLogSettings();
    // Nor the mixin: these lines carry their own trace and span ids.
    unredacted = settings.pretty
      ? processLogger()
      : pino(buffered({ ...loggerOptions(settings), redact: undefined, mixin: undefined }), sharedDestination());
  }
  return unredacted;
}

function sharedDestination(): ReturnType<typeof pino.destination> {
  return (destination ??= pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS }));
}

/** pino level of `warn`: lines at it or above are written at once, with what is buffered before them. */
const WARN = 40;

/** pino options writing to the shared destination: a warning or an error leaves at once, the rest is buffered. */
function buffered(options: LoggerOptions): LoggerOptions {
  return {
    ...options,
    hooks: {
      logMethod(args, method, level) {
        method.apply(this, args);
        if (level >= WARN) destination?.flush();
      },
    },
  };
}

/** Writes the log lines still buffered (before the process exits). */
export function flushLogs(): Promise<void> {
  const logger = root ?? unredacted;
  if (!logger) return Promise.resolve();
  return new Promise((resolve) => logger.flush(() => resolve()));
}
