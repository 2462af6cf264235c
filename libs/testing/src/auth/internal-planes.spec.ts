import { loadConfig } from '@spear/config';
import { describe, expect, it } from 'vitest';
import { DEV_CLUSTER_SECRET, DEV_ZOOKEEPER_AUTH } from './internal-planes';

describe('the internal planes of test clusters', () => {
  it("hold the local profile's cluster secret and ZooKeeper identity", () => {
    // Without SPEAR_* env overrides: those would change the profile, not the file this mirrors.
    const config = loadConfig('idgen', { profile: 'local', env: { SPEAR_PROFILES_DIR: process.env.SPEAR_PROFILES_DIR ?? '' } });
    expect(config.secrets.clusterSecret).toBe(DEV_CLUSTER_SECRET);
    expect({ user: config.zookeeper.user, password: config.secrets.zookeeperPassword }).toEqual(DEV_ZOOKEEPER_AUTH);
  });
});
