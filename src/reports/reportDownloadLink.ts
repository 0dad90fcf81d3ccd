import type { Secrets } from '../security/secrets.js';
import { safeEqual } from '../security/secrets.js';
import type { ReportFormat } from '../wire/reportSchemas.js';

/** How long a `report.ready` link works: a receiver fetches at once or within a day or two, never months later. */
export const REPORT_LINK_TTL_MS = 7 * 24 * 3600 * 1000;

/** The path the signed download route answers (no admin cookie: the signature is the credential). */
export const reportDownloadPath = (runId: string) => `/api/reports/v1/runs/${runId}/download`;

const PURPOSE = 'report-download';

function signatureOf(secrets: Secrets, runId: string, format: ReportFormat, expires: number): string {
  // The run id, the format and the expiry are all signed: none can be changed without the server's key.
  return secrets.mac(PURPOSE, `${runId.toLowerCase()}\n${format}\n${expires}`).toString('base64url');
}

/**
 * A time-limited link to one run's export: HMAC-SHA-256 under a key derived from the master key for this purpose
 * only (src/security/secrets.ts), so no other token of ours verifies as a download link.
 */
export function signReportLink(
  secrets: Secrets,
  base: string,
  run: { runId: string; format: ReportFormat; expiresAt: Date },
): string {
  const expires = Math.floor(run.expiresAt.getTime() / 1000);
  const query = new URLSearchParams({
    format: run.format,
    expires: String(expires),
    signature: signatureOf(secrets, run.runId, run.format, expires),
  });
  return `${base}${reportDownloadPath(run.runId)}?${query}`;
}

/** Whether a link's signature is ours (constant-time) and it has not expired at `now`. */
export function verifyReportLink(
  secrets: Secrets,
  link: { runId: string; format: ReportFormat; expires: number; signature: string },
  now: Date,
): boolean {
  const expected = signatureOf(secrets, link.runId, link.format, link.expires);
  const genuine = safeEqual(expected, link.signature);
  return genuine && now.getTime() < link.expires * 1000;
}
