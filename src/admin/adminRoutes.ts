import type { AnyRoute } from '../http/defineRoute.js';
import { loginRoute, logoutRoute, meRoute } from './routes/adminAuthRoutes.js';
import {
  createConnectionRoute,
  deleteConnectionRoute,
  listConnectionsRoute,
  testConnectionRoute,
  updateConnectionRoute,
} from './routes/adminConnectionRoutes.js';
import {
  createFlowRoute,
  diffVersionsRoute,
  getFlowRoute,
  getVersionRoute,
  listFlowsRoute,
  listVersionsRoute,
  publishFlowRoute,
  rollbackFlowRoute,
  testSessionRoute,
  unpublishFlowRoute,
  updateDraftRoute,
  validateFlowRoute,
} from './routes/adminFlowRoutes.js';
import {
  downloadUploadRoute,
  formSubmissionsRoute,
  getFormRoute,
  listFormsRoute,
  publishFormRoute,
  saveFormDraftRoute,
} from './routes/adminFormRoutes.js';
import { conversationViewRoute, searchHistoryRoute } from './routes/adminHistoryRoutes.js';
import { listPricesRoute, setPriceRoute, usageRoute } from './routes/adminPricingRoutes.js';
import { deleteCustomerRoute, exportCustomerRoute, setRetentionRoute } from './routes/adminPrivacyRoutes.js';
import { createSecretKeyRoute, listSecretKeysRoute, revokeSecretKeyRoute } from './routes/adminSecretKeyRoutes.js';
import { revokeSessionRoute } from './routes/adminSessionRoutes.js';
import {
  auditLogRoute,
  changeRoleRoute,
  createAdminUserRoute,
  listAdminUsersRoute,
  removeAdminUserRoute,
} from './routes/adminUserRoutes.js';
import {
  createWebhookRoute,
  deleteWebhookRoute,
  disableWebhookRoute,
  enableWebhookRoute,
  listWebhooksRoute,
  redeliverWebhookRoute,
  webhookDeliveriesRoute,
} from './routes/adminWebhookRoutes.js';
import {
  createWidgetKeyRoute,
  listWidgetKeysRoute,
  revokeWidgetKeyRoute,
  updateWidgetKeyRoute,
} from './routes/adminWidgetKeyRoutes.js';
import {
  addQuickQuestionRoute,
  listConfigSectionsRoute,
  listQuickQuestionsRoute,
  pendingWidgetSettingsRoute,
  publishWidgetSettingsRoute,
  removeQuickQuestionRoute,
  setConfigSectionRoute,
} from './routes/adminWidgetSettingsRoutes.js';

/** The admin API (DESIGN §16): the admin panel's session cookie, CSRF on changes, a least role on every route. */
export const adminRoutes: AnyRoute[] = [
  loginRoute,
  logoutRoute,
  meRoute,
  listAdminUsersRoute,
  createAdminUserRoute,
  changeRoleRoute,
  removeAdminUserRoute,
  auditLogRoute,
  listFlowsRoute,
  createFlowRoute,
  getFlowRoute,
  updateDraftRoute,
  validateFlowRoute,
  publishFlowRoute,
  unpublishFlowRoute,
  listVersionsRoute,
  getVersionRoute,
  diffVersionsRoute,
  rollbackFlowRoute,
  testSessionRoute,
  searchHistoryRoute,
  conversationViewRoute,
  listWidgetKeysRoute,
  createWidgetKeyRoute,
  updateWidgetKeyRoute,
  revokeWidgetKeyRoute,
  listConnectionsRoute,
  createConnectionRoute,
  updateConnectionRoute,
  testConnectionRoute,
  deleteConnectionRoute,
  revokeSessionRoute,
  listSecretKeysRoute,
  createSecretKeyRoute,
  revokeSecretKeyRoute,
  listWebhooksRoute,
  createWebhookRoute,
  webhookDeliveriesRoute,
  disableWebhookRoute,
  enableWebhookRoute,
  // Before the endpoint's deletion, which takes its deliveries with it (the audit suite runs changes in this order).
  redeliverWebhookRoute,
  deleteWebhookRoute,
  listFormsRoute,
  getFormRoute,
  saveFormDraftRoute,
  publishFormRoute,
  formSubmissionsRoute,
  downloadUploadRoute,
  listQuickQuestionsRoute,
  addQuickQuestionRoute,
  removeQuickQuestionRoute,
  listConfigSectionsRoute,
  setConfigSectionRoute,
  pendingWidgetSettingsRoute,
  publishWidgetSettingsRoute,
  listPricesRoute,
  setPriceRoute,
  usageRoute,
  setRetentionRoute,
  exportCustomerRoute,
  deleteCustomerRoute,
];
