import { DEFAULTS } from '@spear/config';

/** Frames are a 4-byte big-endian length and that many bytes of UTF-8 JSON. */
export const HEADER_BYTES = 4;
/**
 * The largest frame by default: a call carries a message body (64 KiB by
 * default, delivery.maxBodyBytes) or a stat batch, far below this; a peer
 * cannot make a process buffer more per connection (rpc.maxFrameBytes).
 */
export const DEFAULT_MAX_FRAME_BYTES = DEFAULTS.rpc.maxFrameBytes;

/** A peer broke the framing; the connection cannot be trusted any more and is closed. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

/** Encodes one value as a frame. */
export function encodeFrame(value: unknown): Buffer {
  const json = JSON.stringify(value);
  const length = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + length);
  frame.writeUInt32BE(length, 0);
  frame.write(json, HEADER_BYTES, 'utf8');
  return frame;
}

/**
 * Splits a byte stream into decoded frames. Keeps partial frames across
 * chunks; copies bytes only when a frame spans chunks.
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Changes the limit for the frames still to come (the handshake's frames are smaller than calls). */
  limit(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Feeds a chunk; returns the values of every complete frame. Throws
   * FrameError on an oversized frame; a frame that is not JSON comes back as
   * an `undecodable` marker so that one bad message need not close the stream.
   * With `maxFrames`, stops after that many and keeps the rest for the next
   * push (an empty chunk continues): the limit may change between frames.
   */
  push(chunk: Buffer, maxFrames = Infinity): unknown[] {
    let buffer = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      buffer = Buffer.concat(this.pending, this.pendingBytes + chunk.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const out: unknown[] = [];
    let offset = 0;
    while (out.length < maxFrames && buffer.length - offset >= HEADER_BYTES) {
      const length = buffer.readUInt32BE(offset);
      if (length > this.maxFrameBytes) throw new FrameError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
      if (buffer.length - offset - HEADER_BYTES < length) break;
      const start = offset + HEADER_BYTES;
      out.push(decodeJson(buffer.toString('utf8', start, start + length)));
      offset = start + length;
    }
    if (offset < buffer.length) {
      const rest = buffer.subarray(offset);
      this.pending.push(rest);
      this.pendingBytes = rest.length;
    }
    return out;
  }
}

/** Marks a frame whose bytes were not JSON. */
export const UNDECODABLE = Symbol('undecodable');

function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return UNDECODABLE;
  }
}
