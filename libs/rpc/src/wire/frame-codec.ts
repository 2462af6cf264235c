/** Frames are a 4-byte big-endian length and that many bytes of UTF-8 JSON. */
export const HEADER_BYTES = 4;
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

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

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /**
   * Feeds a chunk; returns the values of every complete frame. Throws
   * FrameError on an oversized frame; a frame that is not JSON comes back as
   * an `undecodable` marker so that one bad message need not close the stream.
   */
  push(chunk: Buffer): unknown[] {
    let buffer = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      buffer = Buffer.concat(this.pending, this.pendingBytes + chunk.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const out: unknown[] = [];
    let offset = 0;
    while (buffer.length - offset >= HEADER_BYTES) {
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
