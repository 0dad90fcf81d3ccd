import { engineAnalyticsQueryRoute } from '../analytics/routes/engineAnalyticsQueryRoute.js';
import type { AnyRoute } from '../http/defineRoute.js';
import { deleteCustomerRoute } from '../privacy/routes/deleteCustomerRoute.js';
import { exportCustomerRoute } from '../privacy/routes/exportCustomerRoute.js';
import { abortExecutionRoute } from './routes/abortExecutionRoute.js';
import { getConversationRoute } from './routes/getConversationRoute.js';
import { getExecutionRoute } from './routes/getExecutionRoute.js';
import { listSessionsRoute } from './routes/listSessionsRoute.js';
import { reportConversionRoute } from './routes/reportConversionRoute.js';
import { usageRoute } from './routes/usageRoute.js';

/** The Engine API (DESIGN §14), secret key. */
export const engineRoutes: AnyRoute[] = [
  getExecutionRoute,
  abortExecutionRoute,
  getConversationRoute,
  listSessionsRoute,
  reportConversionRoute,
  usageRoute,
  engineAnalyticsQueryRoute,
  exportCustomerRoute,
  deleteCustomerRoute,
];
