import type { Instance, RequiredEnv } from './resolve-profile';

/** Facts about a release that its README states. */
export interface ReadmeFacts {
  app: string;
  profile: string;
  version: string;
  instances: Instance[];
  requiredEnv: RequiredEnv[];
}

/** README.txt of a release folder: what it is and how to run it. */
export function releaseReadme(f: ReadmeFacts): string {
  const spear = f.app === 'spear';
  const listeners = f.instances.map((i) => `  ${i.name.padEnd(24)} http://${i.host}:${i.port}${i.nodeId ? `  (SPEAR_NODE_ID=${i.nodeId})` : ''}`);
  const env = f.requiredEnv.length
    ? f.requiredEnv.map((r) => `  ${r.env.padEnd(24)} (${r.field}; the profile does not hold it)`)
    : ['  none: the profile holds its secrets'];
  return `Spear ${f.app} ${f.version}, profile "${f.profile}"

Needs Node.js 24 (or later) and bash; curl is used when present. No
node_modules and no repository: app/main.js holds every dependency. The
folder can be copied anywhere; the scripts find everything relative to it.

  bin/start.sh${spear ? ' [NODE_ID ...]' : ''}
      start in the background and wait until /healthz answers 200 (30 s)
  bin/stop.sh${spear ? ' [NODE_ID ...]' : ''}
      SIGTERM, SIGKILL after 15 s; removes the pid files; safe to repeat
  SPEAR_FOREGROUND=1 bin/start.sh${spear ? ' NODE_ID' : ''}
      run in the foreground, logging to stdout (for a supervisor)
  bin/map-stack.mjs < trace.txt    (node bin/map-stack.mjs with another node)
      a logged stack trace with its app/main.js lines mapped to the sources
      (the processes run without --enable-source-maps, which costs ~85 MiB
      of heap each; SPEAR_SOURCE_MAPS=1 bin/start.sh turns it on; they run
      with --no-memory-reducer: V8's periodic full compaction would stop a
      busy node for 100-150 ms every ~100 s)

Processes:
${listeners.join('\n')}

Set in the environment before starting:
${env.join('\n')}
Other overrides pass through too: SPEAR_ZK_CONNECT, SPEAR_REDIS_URL,
SPEAR_KAFKA_BROKERS, SPEAR_BUS, SPEAR_TICKET_SECRET_PREVIOUS, ...
SPEAR_START_TIMEOUT / SPEAR_STOP_TIMEOUT (seconds) and SPEAR_NODE_BIN
(the node binary) tune the scripts.

Layout:
  app/              the bundled service (main.js, source map${f.app === 'minions' ? ', ui/' : ''})
  config/           profile.json (resolved, validated for ${f.app}), instances, required-env
  logs/<name>.log   output of background processes
  run/<name>.pid    pid files
`;
}
