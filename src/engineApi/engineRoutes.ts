import type { AnyRoute } from '../http/defineRoute.js';
import { abortExecutionRoute } from './routes/abortExecutionRoute.js';
import { getConversationRoute } from './routes/getConversationRoute.js';
import { getExecutionRoute } from './routes/getExecutionRoute.js';
import { listSessionsRoute } from './routes/listSessionsRoute.js';
import { reportConversionRoute } from './routes/reportConversionRoute.js';

/** The Engine API (DESIGN §14), secret key. `GET /usage` waits for the usage counters (forms/metering issue). */
export const engineRoutes: AnyRoute[] = [
  getExecutionRoute,
  abortExecutionRoute,
  getConversationRoute,
  listSessionsRoute,
  reportConversionRoute,
];
