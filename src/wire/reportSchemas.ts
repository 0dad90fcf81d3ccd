import { z } from 'zod';
import { analyticsQuerySchema, analyticsResultSchema } from './analyticsSchemas.js';

// Wire shapes of the Analytics Hub's saved reports (DESIGN §13): a name and an analytics query definition, its runs,
// its place on the dashboard and its schedule.

const at = z.string().describe('RFC 3339 UTC timestamp.');

export const reportScheduleBody = z
  .object({
    cron: z
      .string()
      .min(1)
      .max(120)
      .describe('Five fields (minute hour day month weekday) or six with seconds first; `@daily` and the like.'),
    timeZone: z.string().min(1).max(64).default('UTC').describe('IANA time zone the expression is read in.'),
    enabled: z.boolean().default(true),
  })
  .strict();

export const reportScheduleView = z.object({
  cron: z.string(),
  timeZone: z.string(),
  enabled: z.boolean(),
  nextRunAt: at.describe('When it runs next (while enabled).'),
  lastRunAt: at.nullable(),
});

export const createReportBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    definition: analyticsQuerySchema,
    schedule: reportScheduleBody.optional(),
  })
  .strict();

export const updateReportBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    definition: analyticsQuerySchema.optional(),
  })
  .strict();

export const reportView = z.object({
  id: z.uuid(),
  name: z.string(),
  definition: analyticsQuerySchema,
  pinPosition: z.number().int().nullable().describe('Place on the dashboard from 0, or null when not pinned.'),
  schedule: reportScheduleView.nullable(),
  version: z.number().int().describe('Grows by one with each change of name or definition.'),
  createdAt: at,
  updatedAt: at,
});

export const reportList = z.object({
  reports: z.array(reportView).describe('Pinned reports first in dashboard order, then the others by name.'),
});

export const reportRunSummary = z.object({
  id: z.uuid(),
  reportId: z.uuid(),
  trigger: z.enum(['manual', 'schedule', 'cli']),
  scheduledFor: at.nullable().describe('The cron time of a scheduled run.'),
  status: z.enum(['completed', 'failed']),
  rowCount: z.number().int(),
  error: z.string().nullable(),
  startedAt: at,
  completedAt: at,
});

export const reportRunView = reportRunSummary.extend({
  definition: analyticsQuerySchema.describe('The definition as it was run.'),
  result: analyticsResultSchema.nullable().describe('null when the run failed.'),
});

export const reportRunList = z.object({ runs: z.array(reportRunSummary).describe('Newest first.') });

export const reportRunParams = z.object({
  id: z
    .string()
    .transform((id) => id.toLowerCase())
    .pipe(z.uuid())
    .catch('00000000-0000-0000-0000-000000000000'),
  runId: z
    .string()
    .transform((id) => id.toLowerCase())
    .pipe(z.uuid())
    .catch('00000000-0000-0000-0000-000000000000'),
});

export const REPORT_FORMATS = ['csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const exportQuery = z.object({ format: z.enum(REPORT_FORMATS).default('csv') });

export const pinOrderBody = z
  .object({
    reportIds: z.array(z.uuid()).max(500).describe('Every pinned report, each once, in the new dashboard order.'),
  })
  .strict();

export const signedDownloadQuery = z.object({
  format: z.enum(REPORT_FORMATS),
  expires: z.coerce.number().int().min(0).max(99_999_999_999).describe('Unix seconds after which the link is refused.'),
  signature: z.string().min(1).max(200),
});
