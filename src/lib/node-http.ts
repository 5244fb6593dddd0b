/**
 * `node:http` loaded with require, never with an ESM `import`.
 *
 * An ESM import of a built-in module builds its namespace from every export, which reads every
 * lazy getter. On Node 24 `node:http` has three (`WebSocket`, `CloseEvent`, `MessageEvent`) that
 * load undici, Node's fetch implementation (a 745 KB script): measured, 1–2 MB more RSS for the
 * API and the export-worker, which use neither. `require` reads only what it is asked for.
 * (Lint forbids value imports of node:http elsewhere; `import type` is fine.)
 */
import { createRequire } from 'node:module';

export const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
