/**
 * An app backend as its own process (so a test can SIGKILL it), written on
 * libs/backend as an app would write it: services `shop` and `cart`,
 * registered in the profile's ZooKeeper. Run with `--import tsx`: argv =
 * profile dir, provider name. Tells its parent `ready` over IPC once registered.
 */
import { BackendError, serveBackend } from '@spear/backend';
import { backendPlanes } from './backend-planes';

const [profileDir, name] = process.argv.slice(2) as [string, string];

async function main(): Promise<void> {
  const planes = backendPlanes(profileDir);
  await serveBackend({
    name: 'shop',
    ...planes,
    methods: {
      'shop.echo': (call) => ({ echo: call.data, provider: name, uid: call.uid }),
      'shop.slow': async () => {
        await new Promise((r) => setTimeout(r, 2000));
        return 'late';
      },
      'shop.fail': () => {
        throw new BackendError('out_of_stock', 'none left');
      },
      'shop.crash': () => {
        throw new Error('the handler broke');
      },
      'shop.refuse': () => {
        throw new BackendError('insufficient_funds', 'top up first');
      },
    },
  });
  await serveBackend({ name: 'cart', ...planes, methods: { 'cart.': (call) => ({ provider: name, uid: call.uid }) } });
  process.send?.('ready');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
