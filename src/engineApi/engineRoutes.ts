import type { AnyRoute } from '../http/defineRoute.js';
import { abortExecutionRoute } from './routes/abortExecutionRoute.js';
import { getConversationRoute } from './routes/getConversationRoute.js';
import { getExecutionRoute } from './routes/getExecutionRoute.js';
import { listSessionsRoute } from './routes/listSessionsRoute.js';

/** The Engine API (DESIGN §14), secret key. `GET /usage` and `POST /conversions` wait for their counters and services. */
export const engineRoutes: AnyRoute[] = [
  getExecutionRoute,
  abortExecutionRoute,
  getConversationRoute,
  listSessionsRoute,
];
