import { z } from 'zod';
import { AppError } from '../../errors/AppError.js';
import { type AnyRoute, defineRoute } from '../../http/defineRoute.js';
import { signedDownloadQuery } from '../../wire/reportSchemas.js';
import { reportDownloadPath, verifyReportLink } from '../reportDownloadLink.js';
import { exportRun } from '../reportExport.js';
import { runForDownload } from '../reportRuns.js';

const downloadParams = z.object({ id: z.string().max(64) });

/**
 * The link a `report.ready` webhook carries: no cookie or key, the signature is the credential. A link altered in
 * any part, or past its expiry, answers 403 `forbidden` — before any read, so it tells nothing about which runs exist.
 */
export const reportDownloadRoute = defineRoute({
  method: 'GET',
  path: reportDownloadPath('{id}'),
  operationId: 'downloadReportRun',
  summary: 'Download a report run through the signed, expiring link of its `report.ready` webhook',
  description: 'The link works until its `expires` time; one altered in any way (run, format, expiry) is refused.',
  tags: ['Analytics hub downloads'],
  auth: 'none',
  params: downloadParams,
  query: signedDownloadQuery,
  response: { status: 200, description: 'The file (CSV or JSON), as an attachment', contentType: 'text/csv' },
  errors: ['invalid_request', 'forbidden', 'not_found'],
  handler: async ({ ctx, params, query }) => {
    const genuine = verifyReportLink(
      ctx.secrets,
      { runId: params.id, format: query.format, expires: query.expires, signature: query.signature },
      ctx.clock(),
    );
    if (!genuine) throw new AppError('forbidden', 'This download link is not valid or has expired.');
    const run = await runForDownload(ctx, params.id);
    // The run (or its report) was deleted after the link was made.
    if (!run) throw new AppError('not_found', 'This report run no longer exists.');
    const file = exportRun(run, query.format);
    return { status: 200, body: file.body, headers: file.headers };
  },
});

export const reportDownloadRoutes: AnyRoute[] = [reportDownloadRoute];
