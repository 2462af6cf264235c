import { join } from 'node:path';
import { pollUntil } from '../until';
import { assertDisjoint, assertIntegerOption, portList } from './port-list';
import { startTogether } from './start-together';
import { startZooKeeper, type ZooKeeperHandle, type ZooKeeperOptions } from './zookeeper';
import type { ZooKeeperServerPorts } from './zookeeper-config';
import { ensembleModes, quorumOf } from './zookeeper-ensemble-status';

/** Options for {@link startZooKeeperEnsemble}. */
export interface ZooKeeperEnsembleOptions {
  /** Folder holding one `server-<id>` folder per server (data with myid, zoo.cfg, log, pid file). */
  dir: string;
  /** Servers, an odd number from 3 to 9. Default 3. */
  size?: number;
  /** Client ports, one per server in id order; free ones when omitted. */
  ports?: number[];
  /** Quorum (follower-to-leader) ports; free ones when omitted. */
  peerPorts?: number[];
  /** Leader election ports; free ones when omitted. */
  electionPorts?: number[];
  /** Servers outlive this process (see StartEngineOptions.detached). Default false. */
  detached?: boolean;
  /** How long the ensemble may take to elect a leader with every server serving. Default 30 s. */
  startTimeoutMs?: number;
}

/** One server of the ensemble. */
export interface ZooKeeperEnsembleServer extends ZooKeeperServerPorts {
  readonly dir: string;
}

/** A quorum found by {@link ZooKeeperEnsembleHandle.waitForQuorum}. */
export interface ZooKeeperQuorum {
  /** Id of the leader. */
  readonly leader: number;
  /** From the last kill() through the handle to the quorum (from the call when nothing was killed). */
  readonly ms: number;
}

/** A running ZooKeeper ensemble started by {@link startZooKeeperEnsemble}. Loopback only. */
export interface ZooKeeperEnsembleHandle {
  readonly servers: readonly ZooKeeperEnsembleServer[];
  /** Every server's "127.0.0.1:port", comma-separated, for ZooKeeper clients. */
  readonly connectString: string;
  /** The process id of server `id`, or undefined while it is killed (a restart gives it a new one). */
  pidOf(id: number): number | undefined;
  /** Id of the server that says (over `srvr`) it leads, or null when none does right now. */
  leader(): Promise<number | null>;
  /** SIGKILL one server, as a crash; resolves once the process is gone. Killing a dead server does nothing. */
  kill(id: number): Promise<void>;
  /** Starts a killed server again on its ports and data; resolves once it serves as leader or follower. */
  restart(id: number): Promise<void>;
  /** Resolves once a majority serves with exactly one leader; rejects after `timeoutMs` (default 30 s) saying what is missing. */
  waitForQuorum(timeoutMs?: number): Promise<ZooKeeperQuorum>;
  /** Stops every live server. Idempotent. */
  stop(): Promise<void>;
}

/** A server's folder inside the ensemble's `dir`. */
export function zooKeeperEnsembleServerDir(dir: string, id: number): string {
  return join(dir, `server-${id}`);
}

const WHAT = 'startZooKeeperEnsemble';

/**
 * Starts an ensemble of ZooKeeper 3.8 servers (Debian's package) on
 * 127.0.0.1, ids 1 to `size`, the four-letter words as on a single server.
 * Resolves once every server serves and one of them leads.
 */
export async function startZooKeeperEnsemble(options: ZooKeeperEnsembleOptions): Promise<ZooKeeperEnsembleHandle> {
  const { dir, size = 3, detached = false, startTimeoutMs = 30_000 } = options;
  assertIntegerOption(WHAT, 'size', size, 3, 9);
  // An even ensemble tolerates no more failures than the odd one below it.
  if (size % 2 === 0) throw new Error(`${WHAT}: size must be odd, got ${size}`);
  const clientPorts = await portList(`${WHAT} ports`, size, options.ports);
  const peerPorts = await portList(`${WHAT} peerPorts`, size, options.peerPorts);
  const electionPorts = await portList(`${WHAT} electionPorts`, size, options.electionPorts);
  assertDisjoint(WHAT, clientPorts, peerPorts, electionPorts);
  const servers: ZooKeeperEnsembleServer[] = clientPorts.map((clientPort, index) => ({
    id: index + 1,
    clientPort,
    peerPort: peerPorts[index]!,
    electionPort: electionPorts[index]!,
    dir: zooKeeperEnsembleServerDir(dir, index + 1),
  }));
  const ports = servers.map(({ id, clientPort, peerPort, electionPort }) => ({ id, clientPort, peerPort, electionPort }));
  const serverOptions = (server: ZooKeeperEnsembleServer): ZooKeeperOptions => ({
    dir: server.dir,
    detached,
    startTimeoutMs,
    ensemble: { myid: server.id, servers: ports },
  });

  const handles = new Map<number, ZooKeeperHandle>();
  const started = await startTogether(servers.map((server) => () => startZooKeeper(serverOptions(server))));
  started.forEach((handle, index) => handles.set(index + 1, handle));
  const stopAll = async () => void (await Promise.all([...handles.values()].map((handle) => handle.stop())));
  let lastKillAt: number | undefined;
  const serverOf = (id: number) => {
    const server = servers.find((candidate) => candidate.id === id);
    if (!server) throw new Error(`zookeeper ensemble: no server ${id} (ids 1-${size})`);
    return server;
  };
  const idOfPort = (port: number) => servers.find((server) => server.clientPort === port)!.id;
  const waitForQuorum = async (timeoutMs = 30_000): Promise<ZooKeeperQuorum> => {
    const from = lastKillAt ?? Date.now();
    const quorum = await pollUntil(async () => quorumOf(await ensembleModes(clientPorts), size), (result) => 'leaderPort' in result, timeoutMs);
    if ('why' in quorum) throw new Error(`zookeeper ensemble: no quorum within ${timeoutMs} ms: ${quorum.why}`);
    return { leader: idOfPort(quorum.leaderPort), ms: Date.now() - from };
  };

  try {
    // Each server was ready once it served, so a leader was elected; this also catches two leaders.
    await waitForQuorum(startTimeoutMs);
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    servers,
    connectString: clientPorts.map((port) => `127.0.0.1:${port}`).join(','),
    pidOf: (id) => handles.get(serverOf(id).id)?.pid,
    leader: async () => {
      const leader = (await ensembleModes(clientPorts)).find(({ mode }) => mode === 'leader');
      return leader ? idOfPort(leader.port) : null;
    },
    kill: async (id) => {
      serverOf(id);
      const handle = handles.get(id);
      if (!handle) return;
      handles.delete(id);
      lastKillAt = Date.now();
      await handle.kill();
    },
    restart: async (id) => {
      const server = serverOf(id);
      if (handles.has(id)) throw new Error(`zookeeper ensemble: server ${id} is running; kill it first`);
      handles.set(id, await startZooKeeper(serverOptions(server)));
    },
    waitForQuorum,
    stop: stopAll,
  };
}
