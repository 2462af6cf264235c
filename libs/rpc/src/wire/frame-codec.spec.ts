import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameError, UNDECODABLE } from './frame-codec';

describe('frame codec', () => {
  it('round-trips values, whole or split at every byte', () => {
    const values = [{ i: 1, p: 'x', d: { a: 'é✓' } }, [1, 2, 3], 'str', null];
    const bytes = Buffer.concat(values.map(encodeFrame));
    expect(new FrameDecoder().push(bytes)).toEqual(values);
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new FrameDecoder();
      expect([...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))]).toEqual(values);
    }
  });

  it('one byte at a time', () => {
    const d = new FrameDecoder();
    const got: unknown[] = [];
    for (const b of encodeFrame({ hello: 'world' })) got.push(...d.push(Buffer.from([b])));
    expect(got).toEqual([{ hello: 'world' }]);
  });

  it('refuses an oversized frame before buffering it', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025);
    expect(() => new FrameDecoder(1024).push(header)).toThrow(FrameError);
  });

  it('marks a frame that is not JSON and keeps decoding the next', () => {
    const junk = Buffer.from('not json');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(junk.length);
    expect(new FrameDecoder().push(Buffer.concat([header, junk, encodeFrame(7)]))).toEqual([UNDECODABLE, 7]);
  });
});
