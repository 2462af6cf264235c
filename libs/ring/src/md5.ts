/**
 * MD5 in plain TypeScript, specialised for the ring: a string in, the four
 * little-endian 32-bit words of its digest out.
 *
 * Why not node:crypto: a lookup hashes one short string, and the native call
 * with its Buffer or hex string costs more than the hash itself; measured on
 * Node 20 with uid-like keys, this is about 1.5-3x faster than
 * `crypto.hash('md5', key, 'hex')` and 5x or more faster than `createHash`. Short
 * ASCII strings (the usual uid or `${id}-${i}`) skip UTF-8 encoding and
 * padding buffers entirely. The output is bit-for-bit MD5 (the spec checks it against
 * node:crypto), so rings agree with any other ketama implementation that
 * hashes the same strings.
 *
 * Not for security: MD5 is used only because ketama defines its points with it.
 * Not reentrant: scratch buffers are shared, which is safe on one JS thread.
 */

/** Per-step additive constants: floor(|sin(i + 1)| * 2^32). */
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;

/** Per-step left rotations, indexed by round * 4 + step % 4. */
const S = new Int32Array([7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]);

/** The 16 little-endian message words of the block being compressed. */
const block = new Int32Array(16);
/** Chaining state between blocks. */
const state = new Int32Array(4);

const encoder = new TextEncoder();
/** UTF-8 bytes plus padding for inputs that need more than one block or are not ASCII; grown on demand. */
let bytes = new Uint8Array(256);

/**
 * Writes MD5(`input` as UTF-8) into `out`: `out[i]` is digest bytes 4i..4i+3
 * read little-endian, exactly the ketama point values.
 */
export function md5Words(input: string, out: Uint32Array): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89;
  state[2] = 0x98badcfe;
  state[3] = 0x10325476;
  if (input.length <= 55 && loadShortAscii(input)) compress();
  else hashBytes(encode(input));
  out[0] = state[0]!;
  out[1] = state[1]!;
  out[2] = state[2]!;
  out[3] = state[3]!;
}

/**
 * Fills `block` with `input` already padded, when it is ASCII and fits one
 * block (at most 55 bytes: 0x80 and the 8-byte length must follow). False for
 * non-ASCII input, which then goes through the general path.
 */
function loadShortAscii(input: string): boolean {
  block.fill(0);
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const code = input.charCodeAt(i);
    if (code >= 0x80) return false;
    block[i >> 2]! |= code << ((i & 3) << 3);
  }
  block[n >> 2]! |= 0x80 << ((n & 3) << 3);
  block[14] = n * 8;
  return true;
}

/** UTF-8 encodes `input` into `bytes`, returning the byte length. */
function encode(input: string): number {
  // UTF-8 needs at most 3 bytes per UTF-16 unit; 72 leaves room for padding.
  const need = input.length * 3 + 72;
  if (bytes.length < need) bytes = new Uint8Array(Math.max(need, bytes.length * 2));
  return encoder.encodeInto(input, bytes).written;
}

/** Pads the `length` bytes in `bytes` and compresses them block by block. */
function hashBytes(length: number): void {
  // 0x80, zeros up to 56 mod 64, then the length in bits as 64-bit little-endian.
  const total = (((length + 8) >>> 6) + 1) << 6;
  bytes[length] = 0x80;
  bytes.fill(0, length + 1, total - 8);
  const bits = length * 8;
  writeUint32(total - 8, bits >>> 0);
  writeUint32(total - 4, Math.floor(bits / 2 ** 32));
  for (let offset = 0; offset < total; offset += 64) {
    for (let i = 0; i < 16; i++) {
      const p = offset + i * 4;
      block[i] = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
    }
    compress();
  }
}

function writeUint32(p: number, value: number): void {
  bytes[p] = value & 0xff;
  bytes[p + 1] = (value >>> 8) & 0xff;
  bytes[p + 2] = (value >>> 16) & 0xff;
  bytes[p + 3] = (value >>> 24) & 0xff;
}

/** One MD5 compression of `block` into `state` (RFC 1321, section 3.4). */
function compress(): void {
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const sum = (a + f + K[i]! + block[g]!) | 0;
    const s = S[((i >>> 4) << 2) | (i & 3)]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
  }
  state[0]! += a;
  state[1]! += b;
  state[2]! += c;
  state[3]! += d;
}
