import { MessagesStreamFallbackModes, MessagesStreamModes, type Message, type MessagesStream } from '@platformatic/kafka';
import type { BusLogger } from './logger';
import { platformaticErrorMessage } from './platformatic-kafka-errors';
import type { BusConsumer } from './platformatic-kafka-clients';

/** A received record: string value and headers (see createConsumer). */
export type ReceivedMessage = Message<string, string, string, string>;

/** First and largest pause before consuming again after the stream failed. */
const RESTART_PAUSE_MS = { first: 500, max: 5_000 };

/**
 * Keeps one message stream of a node's consumer running: the client ends a
 * stream for good on a fetch error it could not retry (e.g. while Kafka is
 * down), where kafkajs restarts its consumer itself. Here a stream that ends
 * without close() is replaced by a new one, after a pause that grows while
 * consuming keeps failing; the new one reads from the group's committed
 * offsets, so nothing committed is skipped (what was handled but not yet
 * committed is delivered again, as after a crash).
 *
 * Offsets are committed after each fetch that returned records, and on
 * close(), which also leaves the group so a restarted node rejoins at once.
 */
export class PlatformaticReceiver {
  private stream: MessagesStream<string, string, string, string> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private pauseMs = RESTART_PAUSE_MS.first;
  private closed = false;

  constructor(
    private readonly consumer: BusConsumer,
    private readonly topics: readonly string[],
    private readonly onMessage: (message: ReceivedMessage) => void,
    private readonly logger: BusLogger,
  ) {}

  /** Joins the group and starts reading; rejects when the first stream cannot be made. */
  async start(): Promise<void> {
    await this.consume();
  }

  /**
   * Stops reading, commits what was handled, leaves the group and closes the
   * consumer's connections; `force` skips the commit and the leave (for a
   * close that did not finish in time). Idempotent.
   */
  async close(force = false): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (force) {
      this.stream?.destroy();
      await this.consumer.close(true).catch(() => undefined);
      return;
    }
    await this.consumer.close(true);
  }

  private async consume(): Promise<void> {
    const stream = await this.consumer.consume({
      topics: [...this.topics],
      // The start position was committed before the first join (platformatic-kafka-start-position.ts).
      mode: MessagesStreamModes.COMMITTED,
      // Only for an offset deleted by retention: skip to the end, as KafkaBus does.
      fallbackMode: MessagesStreamFallbackModes.LATEST,
      autocommit: true,
    });
    if (this.closed) {
      await stream.close().catch(() => undefined);
      return;
    }
    this.stream = stream;
    stream.on('data', (message: ReceivedMessage) => {
      this.pauseMs = RESTART_PAUSE_MS.first;
      this.onMessage(message);
    });
    stream.on('error', (error: Error) => {
      if (!this.closed) this.logger.warn({ err: platformaticErrorMessage(error) }, 'bus: kafka message stream failed; consuming again');
    });
    stream.once('close', () => {
      if (this.stream !== stream) return;
      this.stream = null;
      this.consumeLater();
    });
  }

  /** Consumes again after the current pause, and again after a longer one while that fails. */
  private consumeLater(): void {
    if (this.closed) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed) return;
      this.consume().catch((error: unknown) => {
        this.logger.warn({ err: platformaticErrorMessage(error), retryInMs: this.pauseMs }, 'bus: kafka consumer cannot consume yet');
        this.consumeLater();
      });
    }, this.pauseMs);
    this.pauseMs = Math.min(this.pauseMs * 2, RESTART_PAUSE_MS.max);
  }
}
