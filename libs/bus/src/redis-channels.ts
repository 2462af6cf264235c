/**
 * Pub/sub channel names for one key prefix. Each node listens on its own
 * channel, so a directed publish costs one message per named node instead of
 * one per node in the cluster.
 */
export class RedisChannels {
  private readonly groupPrefix: string;

  constructor(private readonly prefix: string) {
    this.groupPrefix = `${prefix}:group:`;
  }

  /** `<prefix>:node:<nodeId>`: directed envelopes for that node. */
  node(nodeId: string): string {
    return `${this.prefix}:node:${nodeId}`;
  }

  /** `<prefix>:group:<group>`: subscribed only by nodes with members of it. */
  group(group: string): string {
    return `${this.groupPrefix}${group}`;
  }

  /** `<prefix>:broadcast`: every node subscribes. */
  broadcast(): string {
    return `${this.prefix}:broadcast`;
  }

  /** The group a channel from {@link group} names, or null for other channels. */
  groupOf(channel: string): string | null {
    return channel.startsWith(this.groupPrefix) ? channel.slice(this.groupPrefix.length) : null;
  }
}
