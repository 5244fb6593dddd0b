/**
 * A three-route history router (new comparison, a job, history): small enough not to need a
 * router package. The API serves index.html for exactly these paths.
 */
import { ref } from 'vue';

export type Route = { name: 'new' } | { name: 'job'; id: string } | { name: 'history' } | { name: 'notFound' };

/** Maps a pathname to a route. */
export function parseRoute(path: string): Route {
  if (path === '/' || path === '') return { name: 'new' };
  if (path === '/history') return { name: 'history' };
  const job = /^\/jobs\/([A-Za-z0-9_-]{1,100})\/?$/.exec(path);
  if (job) return { name: 'job', id: job[1]! };
  return { name: 'notFound' };
}

export const route = ref<Route>(parseRoute(typeof location === 'undefined' ? '/' : location.pathname));

export function navigate(path: string): void {
  if (path !== location.pathname) history.pushState(null, '', path);
  route.value = parseRoute(path);
  window.scrollTo(0, 0);
}

if (typeof window !== 'undefined') window.addEventListener('popstate', () => (route.value = parseRoute(location.pathname)));
