import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  plugins: [react()],
  build: { outDir: '../../../dist/apps/minions/ui', emptyOutDir: true },
  server: { proxy: { '/api': 'http://127.0.0.1:40000' } },
});
