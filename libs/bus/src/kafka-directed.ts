import type { DirectedBatch, DirectedSend } from './directed-batcher';
import type { KafkaNames } from './kafka-names';
import type { KafkaSendQueue } from './kafka-send-queue';

/**
 * A Kafka bus's DirectedBatcher sink (either client's): each node's envelopes
 * of one turn go out as one record on its topic (a batch; see
 * envelope-codec.ts), not one record each. The send queue would already put
 * separate records into one produce request, which saves round trips but not
 * per-record work: the receiving consumer handles each record (kafkajs: an
 * async eachMessage call with offset bookkeeping) and deliver() parses JSON
 * once per record, and for small envelopes that dominates. One record per
 * node per turn pays it once, and is the same wire format as the Redis bus,
 * so both share deliver(). A failed send is answered with
 * `publishFailed(error)`: the bus's own error.
 *
 * One send-queue entry per wire message (usually one per node), so the
 * queue's request budget also keeps each topic's record batch under Kafka's
 * limit; the entries of one turn still leave in one request when they fit.
 */
export function sendDirected(queue: KafkaSendQueue, names: KafkaNames, batches: readonly DirectedBatch[], publishFailed: (error: unknown) => Error): DirectedSend {
  const sends = batches.map(({ nodeId, messages }) => {
    const topic = names.nodeTopic(nodeId);
    return messages.map((value) => queue.send([{ topic, messages: [{ value }] }]));
  });
  const results = sends.map((queued) =>
    Promise.all(queued.map(({ done }) => done)).then(() => null, publishFailed),
  );
  return { results: Promise.all(results) };
}
