import { samplerFollowsParent, tracingRequested } from './start-tracing';
import { setTracingActive, unrecordedUnder } from './tracer';

describe('tracingRequested', () => {
  it.each([
    [{}, false],
    [{ OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'otlp,console' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }, false],
  ])('%j -> %s', (env, expected) => {
    expect(tracingRequested(env as NodeJS.ProcessEnv)).toBe(expected);
  });
});

describe('samplerFollowsParent', () => {
  it('is true for the default sampler and every parentbased_* one, false for the others', () => {
    expect(samplerFollowsParent({})).toBe(true);
    expect(samplerFollowsParent({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' })).toBe(true);
    expect(samplerFollowsParent({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toBe(true);
    expect(samplerFollowsParent({ OTEL_TRACES_SAMPLER: 'always_on' })).toBe(false);
    expect(samplerFollowsParent({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toBe(false);
  });
});

describe('unrecordedUnder', () => {
  const sampled = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const unsampled = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
  afterEach(() => setTracingActive(false));

  it('says every span is unrecorded while tracing is off', () => {
    setTracingActive(false);
    expect(unrecordedUnder(sampled)).toBe(true);
    expect(unrecordedUnder(undefined)).toBe(true);
  });

  it('with a parent-based sampler, skips spans only under an unsampled parent', () => {
    setTracingActive(true, true);
    expect(unrecordedUnder(unsampled)).toBe(true);
    expect(unrecordedUnder(sampled)).toBe(false);
    expect(unrecordedUnder(undefined)).toBe(false);
    expect(unrecordedUnder('garbage-00')).toBe(false);
  });

  it('with a sampler that ignores the parent, never skips', () => {
    setTracingActive(true, false);
    expect(unrecordedUnder(unsampled)).toBe(false);
  });
});
