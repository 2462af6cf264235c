/**
 * The `local` profile's secrets of the internal planes, which every test
 * cluster inherits (writeClusterProfile): what a test's own RPC client,
 * provider or ZooKeeper session must hold to join one. internal-planes.spec.ts
 * checks they agree with the profile.
 */
export const DEV_CLUSTER_SECRET = 'local-dev-cluster-secret-change-me';
export const DEV_ZOOKEEPER_AUTH = { user: 'spear', password: 'local-dev-zookeeper-password' } as const;
