/** What the usage meter counts per key × UTC day (DESIGN §9). */
export const USAGE_KINDS = [
  'session',
  'message',
  'mount',
  'submission',
  'upload',
  'quick_questions',
  'config',
] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];
