/**
 * The chat example on a Spear cluster: the backend (Spear RPC service
 * `chat`) and its web page. Reads the cluster's addresses from the Spear
 * profile (SPEAR_PROFILE, default `local`); CHAT_HOST / CHAT_PORT (default
 * 127.0.0.1:8130) for the page.
 *   node --import tsx examples/chat/src/main.ts
 */
import { Pusher } from '@spear/backend';
import { loadConfig } from '@spear/config';
import { startChatBackend } from './chat-backend';
import { SpearAdmin } from './spear-admin';
import { startWebServer } from './web-server';

async function main(): Promise<void> {
  // ticket's view of the profile holds what the backend needs: ticket's address, the admin key and the internal planes' secrets.
  const config = loadConfig('ticket');
  const ticketUrl = `http://${config.ticket.http.host}:${config.ticket.http.port}`;
  const admin = new SpearAdmin(ticketUrl, config.secrets.adminKey);
  const backend = await startChatBackend({ zookeeper: { ...config.zookeeper, password: config.secrets.zookeeperPassword }, clusterSecret: config.secrets.clusterSecret, admin, push: new Pusher({ ticketUrl, adminKey: config.secrets.adminKey }, 'svc:chat') });
  const host = process.env.CHAT_HOST ?? '127.0.0.1';
  const port = Number(process.env.CHAT_PORT ?? 8130);
  const web = await startWebServer({ host, port, ticketUrl, admin });
  console.log(JSON.stringify({ msg: 'chat example up', backend: backend.address, page: `http://${host}:${port}/` }));
  const stop = () => {
    web.close();
    void backend.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
