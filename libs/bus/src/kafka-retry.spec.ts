import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRetriable, untilDone } from './kafka-retry';

/** What a broker answers for a partition a new topic's leader does not host yet (UNKNOWN_TOPIC_OR_PARTITION, retriable). */
const notHostedYet = () => new KafkaJSProtocolError('This server does not host this topic-partition');

describe('untilDone', () => {
  it('retries what kafkajs marks retriable, also once its own retrier gave up on it', async () => {
    expect(isRetriable(notHostedYet())).toBe(true);
    const exhausted = new KafkaJSNumberOfRetriesExceeded(notHostedYet(), { retryCount: 5, retryTime: 1000 });
    expect([exhausted.retriable, isRetriable(exhausted)]).toEqual([false, true]);
    let calls = 0;
    const result = await untilDone('reading the end', async () => {
      if (++calls < 3) throw exhausted;
      return 'done';
    }, { pauseMs: 1 });
    expect([result, calls]).toEqual(['done', 3]);
  });

  it('throws at once what is not retriable, and the last retriable error at the deadline', async () => {
    const fatal = new KafkaJSNonRetriableError('topic authorization failed');
    await expect(untilDone('x', async () => Promise.reject(fatal), { pauseMs: 1 })).rejects.toBe(fatal);
    const late = notHostedYet();
    await expect(untilDone('x', async () => Promise.reject(late), { pauseMs: 5, timeoutMs: 20 })).rejects.toBe(late);
  });
});
