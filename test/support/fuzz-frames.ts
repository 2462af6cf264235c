/** mulberry32: a small seeded PRNG, so a failing fuzz run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One hostile websocket frame: text or binary. */
export type Frame = string | Buffer;

const EVENTS = ['send', 'join', 'leave', 'publish', 'ack', 'constructor', '__proto__', 'toString', 'disconnect', 'error', ''];

/**
 * Frames a hostile client could send after a valid handshake: random bytes,
 * truncated and malformed engine.io/socket.io packets, wrong types, huge
 * numbers, deeply nested JSON, binary attachments that never come or come
 * unannounced, unknown packet types.
 */
export function fuzzFrame(random: () => number): Frame {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const int = (n: number) => Math.floor(random() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const event = pick(EVENTS);
  const kinds: Array<() => Frame> = [
    () => bytes(1 + int(64)),
    () => bytes(1 + int(64)).toString('latin1'),
    () => `42${JSON.stringify([event, { to: 'x', body: 'y' }]).slice(0, 1 + int(30))}`,
    () => `42${pick(['[1,2,3]', '{}', '"send"', 'null', '[]', '[null]', '[{"to":"a"}]', 'true', '[[[]]]'])}`,
    () => `4${int(10)}${pick(['', '[', '{', '["send"', 'x', '-'])}`,
    () => `42${int(1e9)}["${event}",${pick(['1e400', '-1e400', '9'.repeat(400), 'NaN', '{"to":"a","body":1e308}', '{"ids":[' + '9'.repeat(30) + ']}'])}]`,
    () => `42["${event}",${'['.repeat(1 + int(5000))}]`,
    () => `42["${event}",${'{"a":'.repeat(1 + int(3000))}1${'}'.repeat(int(3000))}]`,
    () => `45${int(5)}-["${event}",{"_placeholder":true,"num":${int(5)}}]`,
    () => `46${int(3)}-${int(100)}[{"_placeholder":true,"num":0}]`,
    () => bytes(1 + int(2048)), // a binary attachment nobody announced
    () => pick(['', '9', '6', '5', '2probe', '3probe', '1', '4', '40', '41', '40/admin,', '40/nope,{"ticket":1}']),
    () => `42["${event}",${JSON.stringify({ to: 'a'.repeat(int(300)), body: 'b'.repeat(int(5000)), cid: int(2) ? 7 : 'c' })}]`,
    () => `42["${event}",{"__proto__":{"polluted":true},"to":"a","body":1}]`,
  ];
  return pick(kinds)();
}
