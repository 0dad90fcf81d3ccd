import type { AnyRoute } from '../http/defineRoute.js';
import { sendEventBatchRoute, sendEventRoute } from './routes/eventRoutes.js';

/** Client telemetry (DESIGN §10). */
export const telemetryRoutes: AnyRoute[] = [sendEventRoute, sendEventBatchRoute];
