import { useSyncExternalStore } from 'react';

/**
 * The tab's few client routes, in the path (the server answers index.html for each):
 * `/` the landing page of the person's role, `/report`, `/my-reports`, `/actions`, `/queue`, `/committee` (the meeting),
 * `/committee/kpis`, `/committee/register`, `/cars/{id or number}`, and `/config` (the
 * configurable tab's configuration page).
 */
export type CommitteePage = 'meeting' | 'kpis' | 'register';
export type Route =
  | { readonly view: 'home' }
  | { readonly view: 'report' }
  | { readonly view: 'my-reports' }
  | { readonly view: 'actions' }
  | { readonly view: 'queue' }
  | { readonly view: 'committee'; readonly page: CommitteePage }
  | { readonly view: 'config' }
  | { readonly view: 'car'; readonly id: string };

/**
 * The route of an address. A Teams tab URL may name its view in the query
 * (`/?host=teams&view=my-reports`, as older app packages did); the path wins when it names one.
 */
export function parseRoute(pathname: string, search = ''): Route {
  const named = new URLSearchParams(search).get('view');
  if ((pathname === '/' || pathname === '') && named && /^[a-z-]+(\/[a-z-]+)?$/.test(named)) {
    const route = parseRoute(`/${named}`);
    if (route.view !== 'home') return route;
  }
  const car = /^\/cars\/([^/]+)\/?$/.exec(pathname);
  if (car?.[1]) return { view: 'car', id: decodeURIComponent(car[1]) };
  switch (pathname.replace(/\/$/, '')) {
    case '/my-reports':
      return { view: 'my-reports' };
    case '/actions':
      return { view: 'actions' };
    case '/queue':
      return { view: 'queue' };
    case '/committee':
      return { view: 'committee', page: 'meeting' };
    case '/committee/kpis':
      return { view: 'committee', page: 'kpis' };
    case '/committee/register':
      return { view: 'committee', page: 'register' };
    case '/config':
      return { view: 'config' };
    case '/report':
      return { view: 'report' };
    default:
      return { view: 'home' };
  }
}

export const routePath = (route: Route): string =>
  route.view === 'car'
    ? `/cars/${encodeURIComponent(route.id)}`
    : route.view === 'home'
      ? '/'
      : route.view === 'committee' && route.page !== 'meeting'
        ? `/committee/${route.page}`
        : `/${route.view}`;

const listeners = new Set<() => void>();
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
};

export function navigate(path: string, replace = false): void {
  if (path === window.location.pathname) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => window.location.search);
}

/** Where a person lands on `/`: the work of their role. */
export function landingRoute(
  roles: { readonly mr: boolean; readonly committee: boolean },
  openActions: number,
): Route {
  if (roles.mr) return { view: 'queue' };
  if (roles.committee) return { view: 'committee', page: 'meeting' };
  if (openActions > 0) return { view: 'actions' };
  return { view: 'report' };
}
