import { freePort } from '@spear/testing';

/**
 * Broker and controller ports for startKafka. startKafka picks both with two
 * freePort() calls, which can return the same just-released port (seen in
 * practice; Kafka then refuses to start), so pick them here and make sure.
 */
export async function kafkaPorts(): Promise<{ port: number; controllerPort: number }> {
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  return { port, controllerPort };
}
