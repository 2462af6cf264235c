import { join } from 'node:path';
import { pollUntil } from '../until';
import { startKafka, type KafkaHandle, type KafkaOptions } from './kafka';
import { kafkaBrokersAgree } from './kafka-cluster-status';
import { isKafkaStorageFormatted, randomKafkaClusterId } from './kafka-storage';
import { assertDisjoint, assertIntegerOption, portList } from './port-list';
import { startTogether } from './start-together';

/** Options for {@link startKafkaCluster}. */
export interface KafkaClusterOptions {
  /** Folder holding one `node-<id>` folder per node (data, server.properties, log, pid file). */
  dir: string;
  /** Nodes, each broker and controller (KRaft combined mode), 3 to 9. Default 3. */
  brokers?: number;
  /** Client (broker) ports, one per node in id order; free ones when omitted. */
  ports?: number[];
  /** Controller ports, one per node in id order; free ones when omitted. */
  controllerPorts?: number[];
  /** Each JVM's largest heap. Default '384m'. */
  maxHeap?: string;
  /** Nodes outlive this process (see StartEngineOptions.detached). Default false. */
  detached?: boolean;
  /** How long the cluster may take until every broker is in the metadata. Default 90 s. */
  startTimeoutMs?: number;
}

/** One node of the cluster. */
export interface KafkaClusterNode {
  /** Its node.id, 1 and up. */
  readonly id: number;
  readonly port: number;
  readonly controllerPort: number;
  /** "127.0.0.1:port". */
  readonly broker: string;
  readonly dir: string;
}

/** A running Kafka cluster started by {@link startKafkaCluster}. Loopback only. */
export interface KafkaClusterHandle {
  readonly nodes: readonly KafkaClusterNode[];
  /** Every node's "127.0.0.1:port", for kafkajs. */
  readonly brokers: readonly string[];
  /** SIGKILL one node, as a crash; resolves once the process is gone. Killing a dead node does nothing. */
  kill(id: number): Promise<void>;
  /** Starts a killed node again on its ports and data; resolves once every live node's metadata lists every live node. */
  restart(id: number): Promise<void>;
  /** Stops every live node (SIGTERM, then SIGKILL after 20 s). Idempotent. */
  stop(): Promise<void>;
}

/** A node's folder inside the cluster's `dir`. */
export function kafkaClusterNodeDir(dir: string, id: number): string {
  return join(dir, `node-${id}`);
}

const WHAT = 'startKafkaCluster';

/**
 * Starts Apache Kafka 3.9 nodes on 127.0.0.1, each broker and controller
 * (KRaft combined mode, the controller quorum made of all of them), topics
 * on three replicas with `min.insync.replicas` 2 (see kafka-config.ts).
 * A `dir` whose nodes were formatted earlier is started again as it was.
 * Resolves once every broker's metadata lists every broker.
 */
export async function startKafkaCluster(options: KafkaClusterOptions): Promise<KafkaClusterHandle> {
  const { dir, brokers = 3, maxHeap = '384m', detached = false, startTimeoutMs = 90_000 } = options;
  assertIntegerOption(WHAT, 'brokers', brokers, 3, 9);
  const ports = await portList(`${WHAT} ports`, brokers, options.ports);
  const controllerPorts = await portList(`${WHAT} controllerPorts`, brokers, options.controllerPorts);
  assertDisjoint(WHAT, ports, controllerPorts);
  const nodes: KafkaClusterNode[] = ports.map((port, index) => ({
    id: index + 1,
    port,
    controllerPort: controllerPorts[index]!,
    broker: `127.0.0.1:${port}`,
    dir: kafkaClusterNodeDir(dir, index + 1),
  }));
  const formatted = nodes.filter((node) => isKafkaStorageFormatted(node.dir));
  if (formatted.length > 0 && formatted.length < nodes.length) {
    // A node formatted anew would get another cluster id and never join the others.
    throw new Error(`${WHAT}: only nodes ${formatted.map((node) => node.id).join(', ')} of ${dir} hold formatted storage; remove ${dir} to start anew`);
  }
  const clusterId = randomKafkaClusterId();
  const voters = nodes.map(({ id, controllerPort }) => ({ id, controllerPort }));
  const nodeOptions = (node: KafkaClusterNode): KafkaOptions => ({
    dir: node.dir,
    port: node.port,
    cluster: { nodeId: node.id, clusterId, voters },
    maxHeap,
    detached,
    startTimeoutMs,
  });

  const handles = new Map<number, KafkaHandle>();
  const started = await startTogether(nodes.map((node) => () => startKafka(nodeOptions(node))));
  started.forEach((handle, index) => handles.set(index + 1, handle));
  const stopAll = async () => void (await Promise.all([...handles.values()].map((handle) => handle.stop())));
  const liveNodes = () => nodes.filter((node) => handles.has(node.id));
  const nodeOf = (id: number) => {
    const node = nodes.find((candidate) => candidate.id === id);
    if (!node) throw new Error(`kafka cluster: no node ${id} (ids 1-${brokers})`);
    return node;
  };
  /** Until every live node's metadata lists exactly the live nodes. */
  const waitForLiveBrokers = async (timeoutMs: number) => {
    const live = liveNodes();
    const expected = live.map((node) => node.id).join(',');
    const check = await pollUntil(
      async () => {
        const agreed = await kafkaBrokersAgree(live.map((node) => node.broker));
        return !agreed.agree || agreed.ids.join(',') === expected ? agreed : { agree: false as const, why: `the brokers list ids ${agreed.ids.join(', ')}, not ${expected}` };
      },
      (result) => result.agree,
      timeoutMs,
    );
    if (!check.agree) throw new Error(`kafka cluster: brokers ${expected} not all in every broker's metadata after ${timeoutMs} ms: ${check.why}`);
  };

  try {
    await waitForLiveBrokers(startTimeoutMs);
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    nodes,
    brokers: nodes.map((node) => node.broker),
    kill: async (id) => {
      nodeOf(id);
      const handle = handles.get(id);
      if (!handle) return;
      handles.delete(id);
      await handle.kill();
    },
    restart: async (id) => {
      const node = nodeOf(id);
      if (handles.has(id)) throw new Error(`kafka cluster: node ${id} is running; kill it first`);
      handles.set(id, await startKafka(nodeOptions(node)));
      await waitForLiveBrokers(startTimeoutMs);
    },
    stop: stopAll,
  };
}
