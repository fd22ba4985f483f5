// Client-side routes. The server answers every such path with index.html.
import { store } from './store';

export type Route =
  | { name: 'login' }
  | { name: 'register'; invite?: string }
  | { name: 'invite'; code: string }
  | { name: 'app'; spaceId: string | '@me' | null; channelId: string | null };

export function parse(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'login') return { name: 'login' };
  if (parts[0] === 'register') return { name: 'register' };
  if (parts[0] === 'invite' && parts[1]) return { name: 'invite', code: parts[1] };
  if (parts[0] === 'channels') return { name: 'app', spaceId: parts[1] ?? null, channelId: parts[2] ?? null };
  return { name: 'app', spaceId: null, channelId: null };
}

let current: Route = parse(location.pathname);
const listeners = new Set<(r: Route) => void>();

export function route(): Route {
  return current;
}

export function onRoute(f: (r: Route) => void) {
  listeners.add(f);
}

function changed() {
  current = parse(location.pathname);
  for (const f of listeners) f(current);
  store.emit();
}

export function navigate(path: string, replace = false) {
  if (path === location.pathname) return changed();
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  changed();
}

window.addEventListener('popstate', changed);

export function channelPath(spaceId: string | null, channelId?: string | null) {
  return `/channels/${spaceId ?? '@me'}${channelId ? '/' + channelId : ''}`;
}
