/**
 * An app backend as its own process (so a test can SIGKILL it): a Spear RPC
 * provider of `shop.call` and `cart.call`, registered in the profile's
 * ZooKeeper. Run with `--import tsx`: argv = profile dir, provider name.
 * Tells its parent `ready` over IPC once registered.
 */
import { loadConfig } from '@spear/config';
import { ZooKeeperRegistry } from '@spear/registry';
import { patternKey, RpcError, RpcServer } from '@spear/rpc';

interface Call {
  uid: string;
  method: string;
  data: unknown;
}

const [profileDir, name] = process.argv.slice(2) as [string, string];

/** `shop.*`: the outcomes a routed call can have. */
async function shop(call: Call): Promise<unknown> {
  switch (call.method) {
    case 'shop.echo':
      return { data: { echo: call.data, provider: name, uid: call.uid } };
    case 'shop.slow':
      await new Promise((r) => setTimeout(r, 2000));
      return { data: 'late' };
    case 'shop.fail':
      throw new RpcError('out_of_stock', 'none left');
    case 'shop.crash':
      throw new Error('the handler broke');
    case 'shop.refuse':
      return { error: { code: 'insufficient_funds', message: 'top up first' } };
    default:
      return { error: { code: 'no_such_method', message: call.method } };
  }
}

async function main(): Promise<void> {
  const config = loadConfig('stat', { profile: profileDir });
  const registry = new ZooKeeperRegistry({ ...config.zookeeper });
  await registry.ready();
  const server = new RpcServer({ host: '127.0.0.1', port: 0, weight: 1, version: 'test', registry });
  server.addHandler(patternKey('shop', 'call'), (data: unknown) => shop(data as Call));
  server.addHandler(patternKey('cart', 'call'), async (data: unknown) => ({ data: { provider: name, uid: (data as Call).uid } }));
  await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error as Error) : resolve())));
  process.send?.('ready');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
