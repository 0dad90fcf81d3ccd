import type { Selectable } from 'kysely';
import type { ConfigSectionsTable, QuickQuestionsTable } from '../../db/types.js';
import { defineRoute } from '../../http/defineRoute.js';
import {
  addQuickQuestion,
  listConfigSections,
  listQuickQuestions,
  pendingWidgetSettings,
  publishWidgetSettings,
  removeQuickQuestion,
  setConfigSection,
} from '../../reads/widgetSettingsService.js';
import {
  addQuickQuestionBody,
  adminIdParams,
  configSectionList,
  configSectionView,
  quickQuestionList,
  quickQuestionView,
  sectionParams,
  setConfigSectionBody,
  widgetSettingsPending,
  widgetSettingsPublished,
} from '../../wire/adminSchemas.js';
import { adminActor } from '../adminAuthTypes.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

const TAGS = ['Admin: widget settings'];

function questionView(q: Selectable<QuickQuestionsTable>) {
  return {
    id: q.id,
    text: q.text,
    intentName: q.intent_name,
    pageTypes: q.page_types,
    position: q.position,
    createdAt: q.created_at.toISOString(),
  };
}

function sectionView(c: Selectable<ConfigSectionsTable>) {
  return { section: c.section, values: c.values, isPublic: c.public, updatedAt: c.updated_at.toISOString() };
}

// Edits show to widgets only after the next publish, as with `comerix widget-settings:publish`.

export const listQuickQuestionsRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/quick-questions`,
  operationId: 'adminListQuickQuestions',
  summary: "The tenant's quick questions as edited (not only as published)",
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The quick questions', schema: quickQuestionList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { quickQuestions: (await listQuickQuestions(ctx, auth.tenantId)).map(questionView) },
    headers: NO_STORE,
  }),
});

export const addQuickQuestionRoute = defineRoute({
  method: 'POST',
  path: `${ADMIN_BASE}/quick-questions`,
  operationId: 'adminAddQuickQuestion',
  summary: 'Add a quick question (shown after the next publish)',
  tags: TAGS,
  auth: 'admin',
  body: addQuickQuestionBody,
  response: { status: 201, description: 'The quick question', schema: quickQuestionView },
  errors: ADMIN_WRITE_ERRORS,
  handler: async ({ ctx, auth, body }) => ({
    status: 201,
    body: questionView(
      await addQuickQuestion(
        ctx,
        auth.tenantId,
        {
          text: body.text,
          ...(body.intentName !== undefined ? { intentName: body.intentName } : {}),
          ...(body.pageTypes !== undefined ? { pageTypes: body.pageTypes } : {}),
          ...(body.position !== undefined ? { position: body.position } : {}),
        },
        adminActor(auth),
      ),
    ),
    headers: NO_STORE,
  }),
});

export const removeQuickQuestionRoute = defineRoute({
  method: 'DELETE',
  path: `${ADMIN_BASE}/quick-questions/{id}`,
  operationId: 'adminRemoveQuickQuestion',
  summary: 'Remove a quick question (gone for widgets after the next publish)',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  response: { status: 204, description: 'Removed' },
  errors: [...ADMIN_WRITE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params }) => {
    await removeQuickQuestion(ctx, auth.tenantId, params.id, adminActor(auth));
    return { status: 204, body: undefined, headers: NO_STORE };
  },
});

export const listConfigSectionsRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/config`,
  operationId: 'adminListConfigSections',
  summary: "The tenant's config sections, public or not",
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The sections', schema: configSectionList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: { sections: (await listConfigSections(ctx, auth.tenantId)).map(sectionView) },
    headers: NO_STORE,
  }),
});

export const setConfigSectionRoute = defineRoute({
  method: 'PUT',
  path: `${ADMIN_BASE}/config/{section}`,
  operationId: 'adminSetConfigSection',
  summary: 'Set a config section (checked against its schema when it has one) and whether widgets may read it',
  description: 'The rules of `comerix config:set` ([Widget settings](widget-settings.md)).',
  tags: TAGS,
  auth: 'admin',
  params: sectionParams,
  body: setConfigSectionBody,
  response: { status: 200, description: 'The section', schema: configSectionView },
  errors: [...ADMIN_WRITE_ERRORS, 'validation_failed'],
  handler: async ({ ctx, auth, params, body }) => ({
    status: 200,
    body: sectionView(
      await setConfigSection(
        ctx,
        auth.tenantId,
        { section: params.section, values: body.values, isPublic: body.isPublic },
        adminActor(auth),
      ),
    ),
    headers: NO_STORE,
  }),
});

export const pendingWidgetSettingsRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/widget-settings`,
  operationId: 'adminPendingWidgetSettings',
  summary: 'What is published to widgets, and which parts a publish would change now',
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The published document and the pending parts', schema: widgetSettingsPending },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => ({
    status: 200,
    body: await pendingWidgetSettings(ctx, auth.tenantId),
    headers: NO_STORE,
  }),
});

export const publishWidgetSettingsRoute = defineRoute({
  method: 'POST',
  path: `${ADMIN_BASE}/widget-settings/publish`,
  operationId: 'adminPublishWidgetSettings',
  summary: 'Publish quick questions, public config sections and form schemas to widgets, naming what changed',
  tags: TAGS,
  auth: 'admin',
  response: { status: 200, description: 'The published document', schema: widgetSettingsPublished },
  errors: ADMIN_WRITE_ERRORS,
  handler: async ({ ctx, auth }) => {
    const published = await publishWidgetSettings(ctx, auth.tenantId, adminActor(auth));
    return {
      status: 200,
      body: { contentHash: published.contentHash, builtAt: published.builtAt, changed: published.changed },
      headers: NO_STORE,
    };
  },
});
