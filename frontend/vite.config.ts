/**
 * Vite build of the web app. `npm run build:web` writes frontend/dist, which the API serves at
 * `/` (SERVE_WEB_APP) and nginx serves in production (frontend/nginx.conf). `npm run dev:web`
 * proxies the API paths to a local API on :8080.
 */
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const api = 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    manifest: true,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api/': api, '/dev/': api, '/files/': api, '/wechatpay/': api },
  },
});
