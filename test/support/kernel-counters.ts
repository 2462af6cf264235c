import { readFileSync } from 'node:fs';

/**
 * The kernel's TCP counters (`TcpExt` in /proc/net/netstat) that tell why a
 * connect storm was slow: `ListenOverflows` (a SYN dropped because a
 * listener's accept queue was full; the client retries after 1 s, 2 s, ...)
 * and `TCPSynRetrans`. Machine-wide, so a reading covers every process.
 */
export function tcpCounters(): { listenOverflows: number; synRetrans: number } {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/).map(Number);
  const value = (name: string) => values[names.indexOf(name)] ?? 0;
  return { listenOverflows: value('ListenOverflows'), synRetrans: value('TCPSynRetrans') };
}
