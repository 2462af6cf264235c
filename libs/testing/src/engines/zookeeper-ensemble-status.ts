import type { EngineStatus } from './types';
import { zkStatus } from './zookeeper-status';

/** What the servers of an ensemble say over `srvr`: a mode per client port, null for no answer. */
export type EnsembleModes = ReadonlyArray<{ port: number; mode: string | null }>;

/** Asks every server on `ports` for its mode at once. */
export async function ensembleModes(ports: readonly number[], timeoutMs = 1_000): Promise<EnsembleModes> {
  return Promise.all(ports.map(async (port) => ({ port, mode: await zkStatus(port, timeoutMs) })));
}

/**
 * The port of the one leader when a majority of the `size` servers serve
 * (leader or follower) and exactly one leads; else why not, for messages.
 */
export function quorumOf(modes: EnsembleModes, size: number): { leaderPort: number } | { why: string } {
  const serving = modes.filter(({ mode }) => mode === 'leader' || mode === 'follower');
  const leaders = modes.filter(({ mode }) => mode === 'leader');
  const said = modes.map(({ port, mode }) => `127.0.0.1:${port} ${mode ?? 'not serving'}`).join(', ');
  if (serving.length <= size / 2) return { why: `${serving.length} of ${size} servers serve (${said})` };
  if (leaders.length !== 1) return { why: `${leaders.length} leaders (${said})` };
  return { leaderPort: leaders[0]!.port };
}

/** Quick ensemble check for a status command: up while it has a quorum with one leader. */
export async function zooKeeperEnsembleStatus(ports: readonly number[]): Promise<EngineStatus> {
  const modes = await ensembleModes(ports);
  const quorum = quorumOf(modes, ports.length);
  if ('why' in quorum) return { up: false, detail: quorum.why };
  const followers = modes.filter(({ mode }) => mode === 'follower').length;
  return { up: true, detail: `leader 127.0.0.1:${quorum.leaderPort}, ${followers} of ${ports.length - 1} followers serving` };
}
