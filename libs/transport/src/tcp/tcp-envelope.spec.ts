import {
  encodeReplyFrame,
  encodeRequestFrame,
  frameId,
  parseRequestFrame,
  parseSmallRequestFrame,
  requestText,
  resultText,
} from './tcp-envelope';

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

  it('parses a frame smaller than the payload limit in one go', () => {
    const metadata = { 'x-a': 'has ,"p": and "quotes" and \\', p: 'a key named p' };
    const frame = requestText('1z', 'svc.v1.Do', metadata, '{"p":{"nested":[1,"}"]}}');
    expect(parseSmallRequestFrame(frame, 1000)).toEqual({ id: '1z', method: 'svc.v1.Do', metadata, payload: { p: { nested: [1, '}'] } } });
  });

  it('leaves frames that may carry an over-limit payload, or are malformed, to parseRequestFrame', () => {
    const frame = requestText('1', 'svc.v1.Do', {}, `{"text":"${'é'.repeat(50)}"}`);
    expect(parseSmallRequestFrame(frame, Buffer.byteLength(frame) - 1)).toBeUndefined();
    expect(parseSmallRequestFrame(frame, Buffer.byteLength(frame))).toBeDefined();
    expect(parseSmallRequestFrame('{"i":"1","m":"x","md":{},"p":{nope}}', 1000)).toBeUndefined();
    expect(parseSmallRequestFrame('{"i":"1","m":"x","md":{}}', 1000)).toBeUndefined();
    expect(parseSmallRequestFrame('{"i":"1","m":3,"md":{},"p":{}}', 1000)).toBeUndefined();
    expect(parseSmallRequestFrame('{"x":"1","m":"x","md":{},"p":{}}', 1000)).toBeUndefined();
  });

  it('writes a result reply the client reads back', () => {
    const frame = resultText('a1', '{"ok":true}');
    expect(JSON.parse(frame)).toEqual({ i: 'a1', r: { ok: true } });
    expect(frameId(frame)).toBe('a1');
  });
});
