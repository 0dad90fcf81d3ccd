import { useEffect, useState } from 'react';
import { parseRoute, type Route } from './routes.js';

export { hrefOf, parseRoute, type Route } from './routes.js';

export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
