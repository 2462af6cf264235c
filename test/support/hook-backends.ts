import 'reflect-metadata';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { loadConfig } from '@spear/config';
import { ZooKeeperRegistry } from '@spear/registry';
import { RpcServer } from '@spear/rpc';
import { freePort } from '@spear/testing';

/** What a test backend was asked, in order. */
export const hookCalls: Array<{ via: 'rpc' | 'http'; hook: string; payload: Record<string, unknown> }> = [];

/**
 * The join hook as an app would serve it over Spear RPC: uids starting with
 * "vip-" may join, "slow-" uids get an answer only after 2 s.
 */
@Controller()
class AppHooksController {
  @MessagePattern({ service: 'apphooks', method: 'join' })
  async join(@Payload() payload: Record<string, unknown>) {
    hookCalls.push({ via: 'rpc', hook: 'join', payload });
    const uid = String(payload['uid']);
    if (uid.startsWith('slow-')) await new Promise((r) => setTimeout(r, 2000));
    return { allow: uid.startsWith('vip-') || uid.startsWith('slow-') };
  }
}

@Module({ controllers: [AppHooksController] })
class AppHooksModule {}

/** Starts the RPC backend as a provider registered in the profile's ZooKeeper; close() unregisters it. */
export async function startRpcHookBackend(profileDir: string): Promise<{ close(): Promise<void> }> {
  const config = loadConfig('stat', { profile: profileDir });
  const registry = new ZooKeeperRegistry({ ...config.zookeeper });
  await registry.ready();
  const server = new RpcServer({ host: '127.0.0.1', port: 0, weight: 1, version: 'test', registry, drainTimeoutMs: 1000 });
  const app: INestMicroservice = await NestFactory.createMicroservice(AppHooksModule, { strategy: server, logger: false });
  await app.listen();
  return {
    async close() {
      await app.close();
      await registry.close();
    },
  };
}

/** The connect hook: "blocked-" uids are refused; "vip-" uids join vip:welcome and carry meta. */
function connectAnswer(payload: Record<string, unknown>): object {
  const uid = String(payload['uid']);
  if (uid.startsWith('blocked-')) return { allow: false };
  if (uid.startsWith('vip-')) return { allow: true, groups: ['vip:welcome'], meta: { tier: 'gold', since: payload['sessionId'] } };
  return { allow: true };
}

/** The publish hook: refuses bodies with "spam", appends " (checked)" to a `text`. */
function publishAnswer(payload: Record<string, unknown>): object {
  const body = payload['body'] as { text?: string } | undefined;
  const text = String(body?.text ?? '');
  return text.includes('spam') ? { allow: false } : { allow: true, body: { ...body, text: `${text} (checked)` } };
}

/**
 * The connect, publish and disconnect hooks as an HTTP backend in any
 * language would serve them (one path each): it checks X-Spear-Signature
 * (401 when wrong) before anything else, and answers "slow" texts after 2 s.
 */
export async function startHttpHookBackend(secret: string): Promise<{ url: (hook: string) => string; badSignatures: () => number; close(): void }> {
  let bad = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = createHmac('sha256', secret).update(raw).digest();
      const given = Buffer.from(String(req.headers['x-spear-signature'] ?? ''), 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        bad++;
        res.statusCode = 401;
        return res.end('{"error":"bad signature"}');
      }
      const payload = JSON.parse(raw.toString()) as Record<string, unknown>;
      const hook = String(req.url).slice(1);
      hookCalls.push({ via: 'http', hook, payload });
      const answer = hook === 'connect' ? connectAnswer(payload) : hook === 'publish' ? publishAnswer(payload) : { ok: true };
      const reply = () => res.end(JSON.stringify(answer));
      if (String((payload['body'] as { text?: string } | undefined)?.text ?? '').startsWith('slow')) setTimeout(reply, 2000);
      else reply();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: (hook) => `http://127.0.0.1:${port}/${hook}`,
    badSignatures: () => bad,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
