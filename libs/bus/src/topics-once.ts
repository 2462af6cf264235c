/**
 * Creates topics on first use and remembers which exist, so a publish costs
 * admin round trips only the first time this process sends to a topic.
 * Concurrent first uses of one topic share one creation; a failed creation is
 * forgotten, so the next publish tries again. What creating one means is the
 * Kafka client's: {@link createServed}.
 */
export abstract class TopicsOnce {
  private readonly known = new Set<string>();
  private readonly creating = new Map<string, Promise<void>>();

  /** Resolves once every topic exists (one partition if created here) and has a leader. */
  async ensure(topics: readonly string[]): Promise<void> {
    const missing = topics.filter((topic) => !this.known.has(topic));
    if (missing.length === 0) return;
    await Promise.all(missing.map((topic) => this.creating.get(topic) ?? this.create(topic)));
  }

  /**
   * Creates `topic` with one partition (Kafka keeps order only within a
   * partition; replication from the broker's default.replication.factor),
   * leaving an existing one as it is, and resolves once it has a leader.
   */
  protected abstract createServed(topic: string): Promise<void>;

  private create(topic: string): Promise<void> {
    const creation = (async () => {
      try {
        await this.createServed(topic);
        this.known.add(topic);
      } finally {
        this.creating.delete(topic);
      }
    })();
    this.creating.set(topic, creation);
    return creation;
  }
}
