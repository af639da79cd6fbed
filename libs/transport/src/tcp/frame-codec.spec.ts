import { encodeFrame, FrameDecoder, FrameHandler } from './frame-codec';

function recorder(skipOversized = true) {
  const frames: string[] = [];
  const oversized: { head: string; length: number }[] = [];
  const handler: FrameHandler = {
    frame: (text) => frames.push(text),
    oversized: (head, length) => {
      oversized.push({ head, length });
      return skipOversized;
    },
  };
  return { frames, oversized, handler };
}

describe('frame codec', () => {
  it('prefixes the UTF-8 byte length, big-endian', () => {
    const frame = encodeFrame('héllo');
    expect(frame.readUInt32BE(0)).toBe(6);
    expect(frame.subarray(4).toString('utf8')).toBe('héllo');
  });

  it('decodes several frames from one chunk', () => {
    const { frames, handler } = recorder();
    const decoder = new FrameDecoder(1000, handler);
    expect(decoder.push(Buffer.concat([encodeFrame('a'), encodeFrame(''), encodeFrame('ccc')]))).toBe(true);
    expect(frames).toEqual(['a', '', 'ccc']);
  });

  it('decodes frames split at every byte, multi-byte characters included', () => {
    const { frames, handler } = recorder();
    const decoder = new FrameDecoder(1000, handler);
    const bytes = Buffer.concat([encodeFrame('ünïcode ✓'), encodeFrame('{"i":"1"}')]);
    for (let i = 0; i < bytes.length; i++) decoder.push(bytes.subarray(i, i + 1));
    expect(frames).toEqual(['ünïcode ✓', '{"i":"1"}']);
  });

  it('copies a frame split over many chunks once, when it is complete', () => {
    const { frames, handler } = recorder();
    const decoder = new FrameDecoder(1 << 20, handler);
    const text = 'x'.repeat(500_000);
    const bytes = encodeFrame(text);
    const concat = jest.spyOn(Buffer, 'concat');
    for (let i = 0; i < bytes.length; i += 1000) decoder.push(bytes.subarray(i, i + 1000));
    expect(frames).toEqual([text]);
    expect(concat).toHaveBeenCalledTimes(1);
    concat.mockRestore();
  });

  it('shows the head of an oversized frame, then skips its bytes without buffering them', () => {
    const { frames, oversized, handler } = recorder(true);
    const decoder = new FrameDecoder(100, handler);
    const big = encodeFrame(`{"i":"7",${'x'.repeat(1000)}}`);
    const bytes = Buffer.concat([big, encodeFrame('after')]);
    for (let i = 0; i < bytes.length; i += 30) decoder.push(bytes.subarray(i, i + 30));
    expect(oversized).toEqual([{ head: expect.stringMatching(/^\{"i":"7",x+$/), length: big.length - 4 }]);
    expect(frames).toEqual(['after']);
  });

  it('stops decoding when the handler refuses an oversized frame', () => {
    const { frames, handler } = recorder(false);
    const decoder = new FrameDecoder(10, handler);
    expect(decoder.push(Buffer.concat([encodeFrame('y'.repeat(100)), encodeFrame('a')]))).toBe(false);
    expect(decoder.push(encodeFrame('b'))).toBe(false);
    expect(frames).toEqual([]);
  });
});
