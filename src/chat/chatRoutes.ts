import type { AnyRoute } from '../http/defineRoute.js';
import { chatUploadRoute } from './routes/chatUploadRoute.js';
import { historyRoute } from './routes/historyRoute.js';
import { openSessionRoute } from './routes/openSessionRoute.js';
import { pollExecutionRoute } from './routes/pollExecutionRoute.js';
import { sendMessageRoute } from './routes/sendMessageRoute.js';
import { streamExecutionRoute } from './routes/streamExecutionRoute.js';

/** The public chat API (DESIGN §4). */
export const chatRoutes: AnyRoute[] = [
  openSessionRoute,
  sendMessageRoute,
  pollExecutionRoute,
  streamExecutionRoute,
  historyRoute,
  chatUploadRoute,
];
