/**
 * How many TCP sockets this process holds. Comparing the count before buses
 * are made and after they are closed shows whether close() left any open
 * (the engines run as child processes, so their sockets do not count).
 */
export function openTcpSockets(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'TCPSocketWrap').length;
}
