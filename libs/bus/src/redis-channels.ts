/**
 * Pub/sub channel names for one key prefix. Each node listens on its own
 * channel, so a directed publish costs one message per named node instead of
 * one per node in the cluster.
 */
export class RedisChannels {
  private readonly groupPrefix: string;
  private readonly nodePrefix: string;

  constructor(private readonly prefix: string) {
    this.groupPrefix = `${prefix}:group:`;
    this.nodePrefix = nodeChannelPrefix(prefix);
  }

  /** `<prefix>:node:<nodeId>`: directed envelopes for that node. */
  node(nodeId: string): string {
    return `${this.nodePrefix}${nodeId}`;
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

/**
 * What every node's channel starts with, for a RedisBus of `keyPrefix`: a
 * Lua script on the bus's own Redis (not a cluster) hands a node an envelope
 * by `SPUBLISH <this><nodeId> <envelope JSON>` (the bus's default sharded
 * pub/sub; the services never run the classic mode), as the bus would.
 */
export function nodeChannelPrefix(keyPrefix: string): string {
  return `${keyPrefix}:node:`;
}
