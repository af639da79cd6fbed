import { trace, TraceFlags } from '@opentelemetry/api';
import { contextFromHeaders, formatTraceparent, parseTraceparent } from './trace-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('W3C trace context in metadata', () => {
  it('parses a traceparent and formats it back', () => {
    const parsed = parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'vendor=abc');
    expect(parsed).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(parsed?.traceState?.get('vendor')).toBe('abc');
    expect(formatTraceparent(parsed!)).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(formatTraceparent({ ...parsed!, traceFlags: TraceFlags.NONE })).toBe(`00-${TRACE}-${SPAN}-00`);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['another version', `01-${TRACE}-${SPAN}-01`],
    ['short trace id', `00-${TRACE.slice(2)}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['trailing garbage', `00-${TRACE}-${SPAN}-01-x`],
  ])('ignores a %s traceparent', (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    const fallback = contextFromHeaders(value);
    expect(trace.getSpanContext(fallback)).toBeUndefined();
  });

  it('makes a context whose span context is the remote parent', () => {
    const parent = trace.getSpanContext(contextFromHeaders(`00-${TRACE}-${SPAN}-01`));
    expect(parent).toMatchObject({ traceId: TRACE, spanId: SPAN, isRemote: true });
  });
});
