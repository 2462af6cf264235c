import { loadConfig } from '@spear/config';

/** What a test backend needs to join a test cluster's internal planes (libs/backend serveBackend): its ZooKeeper with the password, and the RPC cluster secret. */
export function backendPlanes(profileDir: string): { zookeeper: { connect: string; root: string; user: string; password: string }; clusterSecret: string } {
  const config = loadConfig('idgen', { profile: profileDir });
  return { zookeeper: { ...config.zookeeper, password: config.secrets.zookeeperPassword }, clusterSecret: config.secrets.clusterSecret };
}
