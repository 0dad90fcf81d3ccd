// `task`: a named job run by a registered worker handler (`waiting_time`); the handler's result is stored under
// `vars.<saveAs>` when the worker resumes the execution.
import { z } from 'zod';
import { jsonTemplateSchema, jsonTemplateSites, renderJsonTemplate } from '../jsonTemplates.js';
import { defaultPortOnly, nodeBase, varNameSchema } from './common.js';
import { defineNode } from './types.js';

export const TASK_NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

export const taskNodeSchema = z.strictObject({
  ...nodeBase('task'),
  task: z.string().regex(TASK_NAME_PATTERN, 'a handler name: must match ^[a-z][a-z0-9_.-]{0,63}$'),
  input: jsonTemplateSchema.optional(),
  saveAs: varNameSchema.optional(),
});

export const taskNode = defineNode({
  type: 'task',
  schema: taskNodeSchema,
  ports: () => defaultPortOnly,
  expressions: (node) => (node.input === undefined ? [] : jsonTemplateSites(node.input, ['input'])),
  async run(node, rt) {
    // No input: an empty object. An input that renders to no value: null.
    const input = node.input === undefined ? {} : ((await renderJsonTemplate(node.input, rt)) ?? null);
    return { kind: 'job', job: { kind: 'task', task: node.task, input } };
  },
  jobResult(node, result, rt) {
    if (node.saveAs) rt.vars[node.saveAs] = result;
    return null;
  },
});
