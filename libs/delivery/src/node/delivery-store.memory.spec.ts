import { deliveryStoreContract, MemoryStores } from './test-support';

deliveryStoreContract('MemoryStores', async (options) => {
  const stores = new MemoryStores(options);
  return {
    forNode: (id) => stores.forNode(id),
    markKnown: async (uid) => void stores.known.add(uid),
    addMember: async (group, uid) => {
      if (!stores.memberships.has(uid)) stores.memberships.set(uid, new Set());
      stores.memberships.get(uid)!.add(group);
    },
  };
});
