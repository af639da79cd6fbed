import pino from 'pino';
import { Writable } from 'node:stream';
import { loadLogSettings, loggerOptions } from './process-logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ ...loggerOptions({ level: 'info', pretty: false }), transport: undefined }, stream);
  return { logger, lines };
}

describe('process logger', () => {
  it('writes JSON lines with the level name and redacts credentials wherever they sit', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        authorization: 'Bearer top-secret-1',
        req: { headers: { authorization: 'Bearer top-secret-2', cookie: 'sid=top-secret-3', accept: 'application/json' } },
        body: { client_secret: 'top-secret-4', password: 'top-secret-5', client_id: 'demo' },
        token: 'top-secret-6',
      },
      'hello',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/top-secret/);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'hello',
      authorization: '[redacted]',
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', accept: 'application/json' } },
      body: { client_secret: '[redacted]', password: '[redacted]', client_id: 'demo' },
    });
  });

  it('adds no trace ids when no span is active', () => {
    const { logger, lines } = capture();
    logger.info('plain');
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('reads LOG_LEVEL and LOG_FORMAT, refusing bad values by name', () => {
    expect(loadLogSettings({})).toEqual({ level: 'info', pretty: false });
    expect(loadLogSettings({ LOG_LEVEL: 'DEBUG', LOG_FORMAT: 'pretty' })).toEqual({ level: 'debug', pretty: true });
    expect(loadLogSettings({ NODE_ENV: 'development' })).toEqual({ level: 'info', pretty: true });
    expect(loadLogSettings({ NODE_ENV: 'development', LOG_FORMAT: 'json' })).toEqual({ level: 'info', pretty: false });
    expect(() => loadLogSettings({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadLogSettings({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
