/**
 * Marks a plugin as non-encapsulated (what `fastify-plugin` does), so its decorators and hooks
 * are visible to the whole app; the symbol is Fastify's documented escape hatch.
 */
import type { FastifyPluginAsync } from 'fastify';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any options type, as fastify-plugin accepts
export function shared<T extends FastifyPluginAsync<any>>(plugin: T, name: string): T {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}
