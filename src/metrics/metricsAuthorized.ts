import { safeEqual } from '../security/secrets.js';

/** Whether an Authorization header carries the configured metrics token (compared in constant time). */
export function metricsAuthorized(token: string | undefined, authorization: string | undefined): boolean {
  if (!token) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return safeEqual(match?.[1] ?? '', token);
}
