import type { ErrorCode } from '../../errors/catalog.js';

export const ADMIN_BASE = '/api/admin/v1';

/** What any admin read can answer before its own checks. */
export const ADMIN_READ_ERRORS: ErrorCode[] = ['invalid_request', 'unauthenticated', 'forbidden'];

/** What any admin change can answer before its own checks (the CSRF token comes before the role). */
export const ADMIN_WRITE_ERRORS: ErrorCode[] = ['invalid_request', 'unauthenticated', 'csrf_failed', 'forbidden'];

export const NO_STORE = { 'cache-control': 'no-store' };
