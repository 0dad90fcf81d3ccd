// The wire types the widget renders, from the SDK (generated from the server's OpenAPI document).
import type { Block } from '../../../sdk/src/index.js';

export type { Block };
export type FormBlock = Extract<Block, { type: 'form' }>;
/** One field of a form block or an input wait (DESIGN §8): the same schema for both. */
export type Field = FormBlock['fields'][number];
export type CardBody = Extract<Block, { type: 'carousel' }>['cards'][number];
