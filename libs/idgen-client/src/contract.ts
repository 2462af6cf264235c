import type { IdRange } from '@spear/snowflake';

/** The RPC contract of the idgen service (service name `idgen`). Both methods are retry-safe: a lost batch only skips ids. */
export const IDGEN_SERVICE = 'idgen';

/** `next()`: one id. */
export interface NextIdReply {
  id: string;
}

/** `nextBatch({n})`: n ids as ranges of consecutive ids (one per millisecond used). */
export interface NextBatchRequest {
  n: number;
}
export interface NextBatchReply {
  ranges: IdRange[];
  workerId: number;
}
