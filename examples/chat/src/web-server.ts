import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { SpearAdmin } from './spear-admin';

const WEB = resolve(__dirname, '../web');
const CLIENT_ENTRY = resolve(__dirname, '../../../libs/client/src/index.ts');
const MAX_BODY = 16 * 1024;

/** libs/client for the browser, one ES module (what `pack-sdk.mjs` ships as browser.js). */
async function clientBundle(): Promise<string> {
  const out = await build({ entryPoints: [CLIENT_ENTRY], bundle: true, format: 'esm', platform: 'browser', minify: true, write: false, logLevel: 'warning' });
  return out.outputFiles[0]!.text;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let data = '';
    req.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      if (data.length > MAX_BODY) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolveBody(data));
    req.on('error', reject);
  });
}

/**
 * The chat's web page and its two server calls: `POST /login {uid}` (a demo
 * login: a token for whoever asks) and `POST /ticket/v1/tickets`, passed to
 * ticket so the page talks to one origin.
 */
export async function startWebServer(options: { port: number; host: string; ticketUrl: string; admin: SpearAdmin }): Promise<Server> {
  const files: Record<string, { type: string; content: string }> = {
    '/': { type: 'text/html', content: readFileSync(join(WEB, 'index.html'), 'utf8') },
    '/app.js': { type: 'text/javascript', content: readFileSync(join(WEB, 'app.js'), 'utf8') },
    '/spear-client.js': { type: 'text/javascript', content: await clientBundle() },
  };
  const server = createServer((req, res) => {
    const reply = (status: number, type: string, content: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(content);
    };
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && files[path]) return reply(200, files[path].type, files[path].content);
    if (req.method !== 'POST') return reply(404, 'text/plain', 'not found');
    body(req)
      .then(async (raw) => {
        if (path === '/login') {
          const uid = String((JSON.parse(raw) as { uid?: unknown }).uid ?? '');
          if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(uid)) return reply(400, 'application/json', JSON.stringify({ error: 'a uid: 1-64 of A-Z a-z 0-9 _ . @ -' }));
          return reply(200, 'application/json', JSON.stringify({ uid, token: await options.admin.tokenFor(uid) }));
        }
        if (path === '/ticket/v1/tickets') {
          const res2 = await fetch(`${options.ticketUrl}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw, signal: AbortSignal.timeout(5000) });
          return reply(res2.status, 'application/json', await res2.text());
        }
        reply(404, 'text/plain', 'not found');
      })
      .catch((error: unknown) => reply(500, 'application/json', JSON.stringify({ error: error instanceof Error ? error.message : String(error) })));
  });
  await new Promise<void>((resolveListen) => server.listen(options.port, options.host, resolveListen));
  return server;
}
