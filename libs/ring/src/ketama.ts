import { md5Words } from './md5';

const digest = new Uint32Array(4);

/**
 * The ring position of `key`: the first 4 bytes of MD5(key), read
 * little-endian (libketama's `ketama_hashi`). Points use the same words of
 * their own digests, so keys and points live on one 32-bit circle, and any
 * ketama implementation hashing the same strings agrees with this one.
 */
export function ketamaHash(key: string): number {
  md5Words(key, digest);
  return digest[0]!;
}

/**
 * Calls `emit` with the first `count` ketama points of member `id`: each MD5
 * of `${id}-${i}` (i = 0, 1, ...) yields four 32-bit points, its four
 * little-endian words, as in libketama.
 */
export function ketamaPoints(id: string, count: number, emit: (point: number) => void): void {
  for (let i = 0, emitted = 0; emitted < count; i++) {
    md5Words(`${id}-${i}`, digest);
    for (let h = 0; h < 4 && emitted < count; h++, emitted++) emit(digest[h]!);
  }
}
