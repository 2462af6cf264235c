import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { installHint } from './paths';

/**
 * Joins empty cluster-enabled nodes on 127.0.0.1 into one cluster with
 * `redis-cli --cluster create`: slots split evenly among the masters,
 * `replicasPerMaster` replicas each. All nodes on one host, redis-cli makes
 * the first `ports.length / (1 + replicasPerMaster)` ports the masters.
 * Its output goes to `outFile`; a failure throws with its last lines.
 */
export function createRedisCluster(ports: readonly number[], replicasPerMaster: number, outFile: string): Promise<void> {
  const args = ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'];
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: 60_000 }, (err, stdout, stderr) => {
      writeFileSync(outFile, `${stdout}${stderr}`);
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error(`redis: 'redis-cli' not found; ${installHint()}`));
      const tail = `${stdout}${stderr}`.trimEnd().split('\n').slice(-15).join('\n');
      reject(new Error(`redis-cli --cluster create failed (${err.message.split('\n')[0]}); see ${outFile}\n${tail}`));
    });
  });
}
