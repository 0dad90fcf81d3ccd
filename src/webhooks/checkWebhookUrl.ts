import { AppError } from '../errors/AppError.js';
import { OutboundError } from '../outbound/OutboundError.js';
import { parseBaseUrl } from '../outbound/requestUrl.js';
import { type LookupAll, resolveAndCheck } from '../outbound/ssrfGuard.js';

const MAX_URL_LENGTH = 2048;

const invalid = (rule: string, message: string) =>
  new AppError('invalid_request', message, { fields: [{ path: 'url', rule, message }] });

/**
 * An endpoint URL must be http(s) without credentials or fragment and resolve to public addresses only (the outbound
 * SSRF guard; private networks only when COMERIX_ALLOW_PRIVATE_NETWORKS is on). Checked when the endpoint is saved
 * and again before every delivery, since DNS answers change.
 */
export async function checkWebhookUrl(
  raw: string,
  options: { allowPrivateNetworks: boolean; lookup?: LookupAll },
): Promise<URL> {
  if (typeof raw !== 'string' || raw.length > MAX_URL_LENGTH) {
    throw invalid('format', `the URL must be at most ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('format', 'the URL is not a valid http(s) URL');
  }
  // The query is allowed (receivers route on it); credentials and fragments are not.
  const base = parseBaseUrl(`${url.origin}${url.pathname}`);
  if (!base || url.username || url.password || url.hash) {
    throw invalid('format', 'the URL must be http(s), without credentials or a fragment');
  }
  try {
    await resolveAndCheck(url.hostname, {
      allowPrivateNetworks: options.allowPrivateNetworks,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
  } catch (error) {
    if (error instanceof OutboundError) {
      throw invalid(error.code === 'ssrf_blocked' ? 'public_address' : 'resolvable', error.message);
    }
    throw error;
  }
  return url;
}
