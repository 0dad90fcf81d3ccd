import type { PublicKey } from '../db/types.js';

/** An authenticated widget session with its key's current row (scope, origins, status). */
export interface ChatSession {
  id: string;
  tenantId: string;
  conversationId: string;
  customerId: string;
  locale: string | null;
  key: PublicKey;
  /** A test session of the admin test pane runs this draft snapshot instead of the published flows. */
  testVersionId?: string | null;
}
