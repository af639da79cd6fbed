import { encodeReplyFrame, encodeRequestFrame, frameId, parseRequestFrame } from './tcp-envelope';

const text = (frame: Buffer) => frame.subarray(4).toString('utf8');

describe('tcp envelope', () => {
  it('round-trips a request, cutting out the payload text unparsed', () => {
    const metadata = { 'x-a': 'has ,"p": and "quotes" and \\', p: 'a key named p' };
    const frame = text(encodeRequestFrame('1z', 'svc.v1.Do', metadata, '{"p":{"nested":[1,"}"]}}'));
    expect(parseRequestFrame(frame)).toEqual({ id: '1z', method: 'svc.v1.Do', metadata, body: '{"p":{"nested":[1,"}"]}}' });
  });

  it('wraps a codec reply with the request id', () => {
    const frame = text(encodeReplyFrame('a1', '{"r":{"ok":true}}'));
    expect(JSON.parse(frame)).toEqual({ i: 'a1', r: { ok: true } });
    expect(frameId(frame)).toBe('a1');
  });

  it('refuses malformed frames', () => {
    expect(parseRequestFrame('{"i":"1","m":"x","md":{}}')).toBeUndefined();
    expect(parseRequestFrame('{"i":"1","m":"x","md":{"a":"b"')).toBeUndefined();
    expect(parseRequestFrame('{"i":"1","m":3,"md":{},"p":{}}')).toBeUndefined();
    expect(parseRequestFrame('not json')).toBeUndefined();
    expect(frameId('{"x":"1"}')).toBeUndefined();
    expect(frameId(`{"i":"${'1'.repeat(40)}"}`)).toBeUndefined();
  });

  it('keeps only well-formed metadata', () => {
    const request = parseRequestFrame('{"i":"1","m":"x","md":{"Bad Key":"v","ok":"v","n":1},"p":{}}');
    expect(request?.metadata).toEqual({ ok: 'v' });
  });
});
