/** cluster-key-slot (ioredis's own dependency) ships no types: the one function it exports. */
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0..16383) of `key`, honouring a `{tag}`. */
  export default function calculateSlot(key: string | Buffer): number;
}
