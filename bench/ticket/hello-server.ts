/**
 * The baseline of bench/ticket/tickets.bench.ts, run as a child process
 * (forked with IPC): the bare HTTP stack ticket is built on, NestJS 11 on
 * @nestjs/platform-fastify, with one POST route that returns a small JSON.
 *
 * `fork('bench/ticket/hello-server.ts', [], { execArgv: ['--import', 'tsx'] })`
 *
 * POST /v1/hello with a JSON body {uid, token} answers 200 {"ok":true,"uid":...}.
 * No logger, no metrics hook, no validation, no Redis: what is left is Nest's
 * routing and fastify's JSON body parsing and serialization, so the difference
 * to ticket is what ticket adds. Tells the parent `{type: 'ready', port}` once
 * it listens; stops on `{type: 'stop'}` or when the parent goes away.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';

export type ToHello = { type: 'stop' };
export type FromHello = { type: 'ready'; port: number } | { type: 'error'; message: string };

/**
 * The module, with decorators applied as functions: tsx run from the workspace
 * root finds no tsconfig.json there, so decorator syntax would not compile to
 * what Nest expects (as in bench/rpc/server.ts).
 */
function helloModule(): new () => object {
  class HelloController {
    hello(body: { uid?: unknown } | undefined): { ok: true; uid: unknown } {
      return { ok: true, uid: body?.uid };
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(HelloController.prototype, 'hello')!;
  Body()(HelloController.prototype, 'hello', 0);
  HttpCode(200)(HelloController.prototype, 'hello', descriptor);
  Post()(HelloController.prototype, 'hello', descriptor);
  Controller('v1/hello')(HelloController);
  class HelloModule {}
  Module({ controllers: [HelloController] })(HelloModule);
  return HelloModule;
}

function send(message: FromHello): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('fork bench/ticket/hello-server.ts with IPC');
  const app = await NestFactory.create<NestFastifyApplication>(helloModule(), new FastifyAdapter(), { logger: false });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      setTimeout(() => process.exit(0), 3000).unref();
      await app.close().catch(() => undefined);
      // exit() rather than waiting for the loop to drain, so that --cpu-prof writes its profile now.
      process.exit(0);
    })());
  process.on('message', (message: ToHello) => {
    if (message.type === 'stop') void stop();
  });
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', () => void stop());
  await app.listen(0, '127.0.0.1');
  send({ type: 'ready', port: (app.getHttpServer().address() as AddressInfo).port });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: (error as Error).stack ?? String(error) });
  process.exit(1);
});
