import { adminRoutes } from '../admin/adminRoutes.js';
import { adminPanelRoutes } from '../adminPanel/adminPanelRoutes.js';
import { chatRoutes } from '../chat/chatRoutes.js';
import { widgetRoutes } from '../chatWidget/widgetRoutes.js';
import { engineRoutes } from '../engineApi/engineRoutes.js';
import { formRoutes } from '../forms/formRoutes.js';
import type { AnyRoute } from '../http/defineRoute.js';
import { mcpRoutes } from '../mcp/routes/mcpRoutes.js';
import { metricsRoute } from '../metrics/metricsRoute.js';
import { openApiRoutes } from '../openapi/openApiRoutes.js';
import { opsRoutes } from '../ops/opsRoutes.js';
import { publishedReadRoutes } from '../reads/routes/publishedReadRoutes.js';
import { reportDownloadRoutes } from '../reports/routes/reportDownloadRoutes.js';
import { telemetryRoutes } from '../telemetry/telemetryRoutes.js';

/** Every route the server answers, each declared once; the OpenAPI document is generated from the same list. */
export function allRoutes(): AnyRoute[] {
  const api = [
    ...opsRoutes,
    ...chatRoutes,
    ...telemetryRoutes,
    ...formRoutes,
    ...publishedReadRoutes,
    ...engineRoutes,
    ...mcpRoutes,
    ...adminRoutes,
    ...reportDownloadRoutes,
  ];
  return [...api, metricsRoute, ...openApiRoutes(api), ...adminPanelRoutes, ...widgetRoutes];
}
