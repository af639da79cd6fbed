import { spawnSync } from 'node:child_process';
import { armedCrashPoints, CRASH_POINTS } from './crash-point';

describe('crash points', () => {
  it('arms the named points, none by default', () => {
    expect([...armedCrashPoints({})]).toEqual([]);
    expect([...armedCrashPoints({ CRASH_POINT: 'saga.after-charge, inventory.after-reserve' })]).toEqual(['saga.after-charge', 'inventory.after-reserve']);
  });

  it('refuses an unknown point, and any point in production', () => {
    expect(() => armedCrashPoints({ CRASH_POINT: 'saga.somewhere' })).toThrow('unknown point "saga.somewhere"');
    expect(() => armedCrashPoints({ CRASH_POINT: 'saga.after-charge', NODE_ENV: 'production' })).toThrow('NODE_ENV=production refuses it');
    expect(Object.keys(CRASH_POINTS)).toEqual(['outbox.before-publish', 'saga.after-charge', 'inventory.after-reserve']);
  });

  it('kills the process with SIGKILL when an armed point is reached, and passes an unarmed one', () => {
    const script = (point: string) =>
      `require('@swc-node/register'); const { crashPoint } = require(${JSON.stringify(require.resolve('./crash-point'))});` +
      ` crashPoint(${JSON.stringify(point)}); process.stdout.write('still alive');`;
    const armed = spawnSync(process.execPath, ['-e', script('saga.after-charge')], { env: { ...process.env, CRASH_POINT: 'saga.after-charge' }, encoding: 'utf8' });
    expect(armed.signal).toBe('SIGKILL');
    expect(armed.stdout).toBe('');
    expect(armed.stderr).toContain('CRASH_POINT saga.after-charge: killing this process');
    const passed = spawnSync(process.execPath, ['-e', script('outbox.before-publish')], { env: { ...process.env, CRASH_POINT: 'saga.after-charge' }, encoding: 'utf8' });
    expect(passed.status).toBe(0);
    expect(passed.stdout).toBe('still alive');
  });
});
