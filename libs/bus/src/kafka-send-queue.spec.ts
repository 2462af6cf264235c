import type { TopicMessages } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaSendQueue } from './kafka-send-queue';

/** A sendBatch that records requests and lets the test finish each one. */
function fakeKafka() {
  const requests: TopicMessages[][] = [];
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const sendBatch = (topicMessages: TopicMessages[]) => {
    requests.push(topicMessages);
    return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { requests, pending, sendBatch };
}

const to = (topic: string, value: string): TopicMessages[] => [{ topic, messages: [{ value }] }];
const values = (request: TopicMessages[]) =>
  request.map(({ topic, messages }) => [topic, messages.map((message) => message.value)]);
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KafkaSendQueue', () => {
  it('sends an idle queue at once and gathers what queues behind a request in flight', async () => {
    const kafka = fakeKafka();
    const queue = new KafkaSendQueue(kafka.sendBatch);
    const first = queue.send(to('b', '1'));
    expect(kafka.requests).toHaveLength(1);

    const later = [queue.send(to('b', '2')), queue.send(to('c', 'x')), queue.send(to('b', '3'))];
    kafka.pending[0]!.resolve();
    await first.done;
    await tick();
    expect(kafka.requests).toHaveLength(2);
    // One entry per topic, in queue order within each.
    expect(values(kafka.requests[1]!)).toEqual([
      ['b', ['2', '3']],
      ['c', ['x']],
    ]);
    kafka.pending[1]!.resolve();
    await Promise.all(later.map(({ done }) => done));
  });

  it('rejects every publish of a failed request and goes on with the next', async () => {
    const kafka = fakeKafka();
    const queue = new KafkaSendQueue(kafka.sendBatch);
    const first = queue.send(to('b', '1'));
    const second = queue.send(to('b', '2'));
    kafka.pending[0]!.reject(new Error('broker gone'));
    await expect(first.done).rejects.toThrow('broker gone');
    await tick();
    kafka.pending[1]!.resolve();
    await second.done;
    expect(kafka.requests.map(values)).toEqual([[['b', ['1']]], [['b', ['2']]]]);
  });

  it('drops cancelled publishes that were not sent yet, and rejects the rest on close', async () => {
    const kafka = fakeKafka();
    const queue = new KafkaSendQueue(kafka.sendBatch);
    const first = queue.send(to('b', '1'));
    const cancelled = queue.send(to('b', 'cancelled'));
    const kept = queue.send(to('b', 'kept'));
    cancelled.cancel();
    kafka.pending[0]!.resolve();
    await first.done;
    await tick();
    expect(values(kafka.requests[1]!)).toEqual([['b', ['kept']]]);

    const queued = queue.send(to('b', 'never'));
    queue.rejectQueued(new Error('closed'));
    await expect(queued.done).rejects.toThrow('closed');
    kafka.pending[1]!.resolve();
    await kept.done;
  });
});
