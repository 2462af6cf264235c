import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runService } from '@spear/runtime';
import { MinionsModule } from './minions.module';

/** The built UI sits beside the bundle (dist/apps/minions/ui); SPEAR_MINIONS_UI overrides. */
const uiDir = process.env.SPEAR_MINIONS_UI ?? join(__dirname, 'ui');

/** minions: the operator dashboard's server: UI, login, topology, engines, stat figures, live events, simulator. */
void runService({
  app: 'minions',
  listener: (config) => config.minions.http,
  trustProxy: (config) => config.minions.trustProxy,
  module: (ctx) => MinionsModule.register(ctx),
  afterListen: async (_app, ctx) => {
    if (!existsSync(join(uiDir, 'index.html'))) ctx.logger.warn({ uiDir }, 'dashboard UI not built; serving the API only');
    return {};
  },
  beforeListen: async (app) => {
    if (existsSync(join(uiDir, 'index.html'))) app.useStaticAssets({ root: uiDir, prefix: '/' });
  },
});
