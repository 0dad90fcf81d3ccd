import { useEffect, useState } from 'react';

export type Route =
  | { screen: 'flows' }
  | { screen: 'flow'; id: string }
  | { screen: 'history' }
  | { screen: 'conversation'; id: string };

/** Hash routes (`#/flows/<id>`): deep links work with no server fallback, and the page stays static. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'flows' && parts[1]) return { screen: 'flow', id: parts[1] };
  if (parts[0] === 'history' && parts[1]) return { screen: 'conversation', id: parts[1] };
  if (parts[0] === 'history') return { screen: 'history' };
  return { screen: 'flows' };
}

export function hrefOf(route: Route): string {
  switch (route.screen) {
    case 'flows':
      return '#/flows';
    case 'flow':
      return `#/flows/${encodeURIComponent(route.id)}`;
    case 'history':
      return '#/history';
    case 'conversation':
      return `#/history/${encodeURIComponent(route.id)}`;
  }
}

export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
