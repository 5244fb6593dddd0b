/** Component tests of the web app: Vue single-file components in happy-dom (`npm test` runs them). */
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'happy-dom',
    reporters: ['default'],
  },
});
