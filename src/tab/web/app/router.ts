import { useSyncExternalStore } from 'react';

/**
 * The tab's few client routes, in the path (the server answers index.html for each):
 * `/` report, `/my-reports`, `/actions`, `/queue`, `/committee` (the meeting),
 * `/committee/kpis`, `/committee/register`, `/cars/{id or number}`, and `/config` (the
 * configurable tab's configuration page).
 */
export type CommitteePage = 'meeting' | 'kpis' | 'register';
export type Route =
  | { readonly view: 'report' }
  | { readonly view: 'my-reports' }
  | { readonly view: 'actions' }
  | { readonly view: 'queue' }
  | { readonly view: 'committee'; readonly page: CommitteePage }
  | { readonly view: 'config' }
  | { readonly view: 'car'; readonly id: string };

export function parseRoute(pathname: string): Route {
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
    default:
      return { view: 'report' };
  }
}

export const routePath = (route: Route): string =>
  route.view === 'car'
    ? `/cars/${encodeURIComponent(route.id)}`
    : route.view === 'report'
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
