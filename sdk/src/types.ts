import type { components, operations } from './generated/api.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Reply<K extends keyof operations, S extends keyof operations[K]['responses']> = Json<
  operations[K]['responses'][S]
>;
type Body<K extends keyof operations> = operations[K] extends { requestBody?: infer R } ? Json<NonNullable<R>> : never;

/** The error envelope every failure answers with (DESIGN §12). */
export type ErrorEnvelope = components['schemas']['ErrorEnvelope'];
/** Every documented error code. */
export type ErrorCode = ErrorEnvelope['error']['code'];
/** One block to render; `type` says which. */
export type Block = components['schemas']['Block'];
/** The code of a failed execution's `error`. */
export type ExecutionErrorCode = components['schemas']['ExecutionErrorCode'];

export type OpenSessionInput = Body<'openSession'>;
export type Session = Reply<'openSession', 201>;
export type Intent = Session['intents'][number];
export type SendMessageInput = Body<'sendMessage'>;
/** The reply of a trigger or resume. */
export type Turn = Reply<'sendMessage', 200>;
/** An execution's state as polled (`GET /chat/executions/{id}`), and the `done` event of a stream. */
export type ExecutionState = Reply<'pollExecution', 200>;
export type ExecutionStatus = ExecutionState['status'];
export type Wait = NonNullable<ExecutionState['wait']>;
export type History = Reply<'conversationHistory', 200>;
export type HistoryItem = History['items'][number];
export type PendingExecution = NonNullable<History['pending']>;
export type FileRef = Reply<'uploadChatFile', 201>['fileRef'];
export type TelemetryEvent = Body<'sendEvent'>;
export type TelemetryResult = Reply<'sendEventBatch', 200>;
export type QuickQuestions = Reply<'getQuickQuestions', 200>;
export type ConfigSection = Reply<'getConfigSection', 200>;
export type FormSchema = Reply<'getForm', 200>;
export type FormSubmissionInput = Body<'submitForm'>;
export type FormSubmission = Reply<'submitForm', 201>;
