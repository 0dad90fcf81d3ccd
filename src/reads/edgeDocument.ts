// The edge document (DESIGN §9): what widgets read before (or without) a session, as one immutable snapshot per
// tenant, built by `widget-settings:publish` and by publishing a form. A CDN or a read replica could serve it as is.
import type { JsonObject } from '../engine/types.js';
import type { FormSchemaBody } from '../wire/formSchemas.js';

export interface QuickQuestionItem {
  id: string;
  text: string;
  intentName?: string;
  pageTypes: string[];
  position: number;
}

/** The published content, or the live rows when nothing is published yet (same shape, no hash). */
export interface EdgeContent {
  /** Ordered by (position, id). */
  quickQuestions: QuickQuestionItem[];
  /** Public config sections only, by name. */
  config: Record<string, JsonObject>;
  /** Published form schemas by code. */
  forms: Record<string, FormSchemaBody>;
}

export interface EdgeDocument extends EdgeContent {
  /** SHA-256 (hex) of the content's canonical JSON. */
  contentHash: string;
  builtAt: string;
}
