import { Module } from '@nestjs/common';
import { zkPaths } from '@spear/catalog';
import { runService } from '@spear/runtime';
import { attachSocketServer } from './adapter/socket-server';
import { publicUrl, selectNode } from './node-identity';
import { startSpearNode } from './wiring/spear-node';

@Module({})
class SpearModule {}

/** spear: a socket.io gateway node; SPEAR_NODE_ID picks which node of the profile this process is. */
void runService({
  app: 'spear',
  listener: (config) => selectNode(config.spear),
  instanceLabels: (config) => ({ nodeId: selectNode(config.spear).id }),
  module: () => ({ module: SpearModule }),
  afterListen: async (app, ctx, address) => {
    const node = selectNode(ctx.config.spear);
    const io = attachSocketServer(app.getHttpServer(), ctx);
    const spear = await startSpearNode(io, ctx, node.id, `${address.host}:${address.port}`);
    return {
      registrations: [{ path: zkPaths.spearNode(node.id), data: { url: publicUrl(node, address.port), weight: node.weight, startedAt: ctx.startedAt } }],
      // minions' event log tells a drained node from a dead one by this marker.
      drainingMarker: { path: zkPaths.drainingNode(node.id), data: { at: Date.now() } },
      // Unregistered already (ticket stops sending users here); now move the connected ones away.
      close: async () => {
        await spear.close();
        io.engine.close(); // the HTTP server itself is closed by Nest after this
      },
    };
  },
});
