import { z } from 'zod';
import {
  createFlow,
  getFlow,
  listFlowsOf,
  publishFlowById,
  updateDraft,
  validateDefinition,
  validateDraft,
} from '../../flows/flowsById.js';
import {
  adminIdParams,
  flowDefinitionBody,
  flowDetail,
  flowList,
  flowProblems,
  flowVersion,
} from '../../wire/adminSchemas.js';
import { defineMcpTool } from '../defineMcpTool.js';
import { FLOW_FORMAT_URI } from '../resources/flowFormatResource.js';

// The flow tools run the admin API's flows-by-id services (src/flows/flowsById.ts): the same validation, tenant
// scoping and audit entries (actor `sk:<keyId>`).

const flowId = z
  .string()
  .max(100)
  .describe('The flow id (a UUID) from flows_list. Any other value answers not_found, like an unknown id.');

/** Not a UUID → the nil UUID, which no flow has: the same not_found as an unknown id (as the admin route does). */
const idOf = (raw: string): string => adminIdParams.shape.id.parse(raw);

const definition = flowDefinitionBody.describe(
  `A whole flow file (DESIGN §5.1): {"intent": {...}, "start": "<node id>", "nodes": [...], "edges": [...]}. Read the resource ${FLOW_FORMAT_URI} for every node type and field; unknown fields are rejected.`,
);

const NOT_FOUND_HINT = 'Call flows_list for the ids of the flows this key may see.';

export const flowsListTool = defineMcpTool({
  name: 'flows_list',
  title: 'List flows',
  description:
    "Lists the tenant's flows: id, intent name, description, the published version number (null: not published) and the latest version. Start here to find a flow id.",
  input: z.object({}),
  output: flowList,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ ctx, auth }) => ({ flows: await listFlowsOf(ctx, auth.tenantId) }),
});

export const flowsGetTool = defineMcpTool({
  name: 'flows_get',
  title: 'Get a flow',
  description:
    'A flow with its current draft (the definition flows_update_draft replaces and flows_publish publishes). Edit the draft and send it back whole with flows_update_draft.',
  input: z.object({ flowId }),
  output: flowDetail,
  annotations: { readOnlyHint: true, openWorldHint: false },
  hints: { not_found: NOT_FOUND_HINT },
  run: async ({ ctx, auth }, args) => getFlow(ctx, auth.tenantId, idOf(args.flowId)),
});

export const flowsCreateTool = defineMcpTool({
  name: 'flows_create',
  title: 'Create a flow',
  description:
    'Creates a new flow from a definition, saved as its draft (not published; call flows_publish next). The intent name must be new to the tenant. An invalid definition is refused with every problem and its node id: fix them and call again (flows_validate checks a definition without saving it).',
  input: z.object({ definition }),
  output: flowDetail,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  hints: {
    validation_failed: `Read ${FLOW_FORMAT_URI} for the format. If the intent exists already, edit that flow with flows_update_draft.`,
  },
  run: async ({ ctx, auth, actor }, args) => createFlow(ctx, auth.tenantId, args.definition, actor),
});

export const flowsValidateTool = defineMcpTool({
  name: 'flows_validate',
  title: 'Validate a flow',
  description:
    "Checks a definition and lists every problem with its node id and JSON path; changes nothing. With flowId and no definition, checks that flow's saved draft; with a definition (and optionally flowId), checks the definition. Call it before flows_create or flows_update_draft.",
  input: z.object({
    flowId: flowId.optional(),
    definition: definition.optional(),
  }),
  output: flowProblems,
  annotations: { readOnlyHint: true, openWorldHint: false },
  hints: { not_found: NOT_FOUND_HINT },
  run: async ({ ctx, auth }, args) => {
    if (args.flowId !== undefined) return validateDraft(ctx, auth.tenantId, idOf(args.flowId), args.definition);
    return validateDefinition(args.definition ?? {});
  },
});

export const flowsUpdateDraftTool = defineMcpTool({
  name: 'flows_update_draft',
  title: "Replace a flow's draft",
  description:
    "Replaces a flow's draft with a whole definition (widgets keep running the published version until flows_publish). The intent name cannot change. An invalid definition is refused with every problem and its node id: fix them and call again.",
  input: z.object({ flowId, definition }),
  output: flowDetail,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  hints: { not_found: NOT_FOUND_HINT, validation_failed: `Read ${FLOW_FORMAT_URI} for the format.` },
  run: async ({ ctx, auth, actor }, args) => updateDraft(ctx, auth.tenantId, idOf(args.flowId), args.definition, actor),
});

export const flowsPublishTool = defineMcpTool({
  name: 'flows_publish',
  title: 'Publish a flow',
  description:
    "Publishes the flow's draft as a new version: widgets whose key allows the intent can start it at once. A draft equal to the latest version publishes that version again. Running conversations finish on the version they started on.",
  input: z.object({ flowId }),
  output: flowVersion,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  hints: { not_found: NOT_FOUND_HINT, validation_failed: 'Fix the draft with flows_update_draft, then publish again.' },
  run: async ({ ctx, auth, actor }, args) => publishFlowById(ctx, auth.tenantId, idOf(args.flowId), actor),
});
