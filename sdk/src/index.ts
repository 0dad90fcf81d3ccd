export { ChatSession, type Settled, type StreamEvent, type StreamOptions, type WaitOptions } from './ChatSession.js';
export { ComerixError, type FieldIssue } from './ComerixError.js';
export { ComerixClient, type ComerixClientOptions, createComerixClient } from './createComerixClient.js';
export { type Cached, PublicReads } from './PublicReads.js';
export { type PageEvents, Telemetry, type TelemetryOptions } from './Telemetry.js';
export type { ClientOptions, RetryInfo } from './transport.js';
export type * from './types.js';
