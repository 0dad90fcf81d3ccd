// Pure (no DOM): the routes are unit-tested outside the browser.

export type Route =
  | { screen: 'flows' }
  | { screen: 'flow'; id: string }
  | { screen: 'history' }
  | { screen: 'conversation'; id: string }
  | { screen: 'widget' }
  | { screen: 'forms' }
  | { screen: 'form'; id: string }
  | { screen: 'connections' }
  | { screen: 'webhooks' }
  | { screen: 'usage' }
  | { screen: 'users' }
  | { screen: 'analytics' }
  | { screen: 'reports' }
  | { screen: 'report'; id: string }
  | { screen: 'tokens' };

/** Screens that are one word in the hash and take no id. */
const PLAIN = ['widget', 'connections', 'webhooks', 'usage', 'users', 'analytics', 'reports', 'tokens'] as const;

/** Hash routes (`#/flows/<id>`): deep links work with no server fallback, and the page stays static. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'flows' && parts[1]) return { screen: 'flow', id: parts[1] };
  if (parts[0] === 'history' && parts[1]) return { screen: 'conversation', id: parts[1] };
  if (parts[0] === 'history') return { screen: 'history' };
  if (parts[0] === 'forms' && parts[1]) return { screen: 'form', id: parts[1] };
  if (parts[0] === 'forms') return { screen: 'forms' };
  if (parts[0] === 'reports' && parts[1]) return { screen: 'report', id: parts[1] };
  const plain = PLAIN.find((p) => p === parts[0]);
  if (plain) return { screen: plain };
  return { screen: 'flows' };
}

export function hrefOf(route: Route): string {
  switch (route.screen) {
    case 'flow':
      return `#/flows/${encodeURIComponent(route.id)}`;
    case 'conversation':
      return `#/history/${encodeURIComponent(route.id)}`;
    case 'form':
      return `#/forms/${encodeURIComponent(route.id)}`;
    case 'report':
      return `#/reports/${encodeURIComponent(route.id)}`;
    default:
      return `#/${route.screen}`;
  }
}
