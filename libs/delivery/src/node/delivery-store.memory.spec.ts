import { deliveryStoreContract, MemoryStores } from './test-support';

deliveryStoreContract('MemoryStores', async (options) => {
  const stores = new MemoryStores(options);
  return { forNode: (id) => stores.forNode(id), markKnown: async (uid) => void stores.known.add(uid) };
});
