import type { ConnectionsTable } from '../db/types.js';
import type { OutboundConnection } from '../outbound/types.js';

export const CONNECTION_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
export const CONNECTION_TYPES = ['http', 'openai'] as const;
export const AUTH_TYPES = ['none', 'header', 'bearer', 'basic', 'oauth2_client_credentials'] as const;

export type ConnectionType = ConnectionsTable['type'];
export type ConnectionAuthType = ConnectionsTable['auth_type'];

/** The non-secret auth settings, as stored in `auth_config` and shown to admins. */
export interface ConnectionAuthConfig {
  /** `header` auth: the header that carries the secret. */
  headerName?: string;
  /** `basic` auth. */
  username?: string;
  /** `oauth2_client_credentials` auth. */
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
  /** How the client authenticates at the token URL: HTTP Basic (default) or client_id/client_secret in the body. */
  clientAuth?: 'basic' | 'post';
  /** `openai` connections: the model an `llm` node uses when it names none. */
  defaultModel?: string;
}

/** A connection as every service function returns it: never its secret. */
export interface ConnectionView {
  id: string;
  tenantId: string;
  name: string;
  type: ConnectionType;
  baseUrl: string;
  authType: ConnectionAuthType;
  authConfig: ConnectionAuthConfig;
  /** Whether a secret is stored (it is never returned). */
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What the job worker hands to `outboundRequest`: the connection with its secret decrypted. Internal use only. */
export interface ResolvedConnection extends OutboundConnection {
  tenantId: string;
  type: ConnectionType;
  /** `openai` connections: the model used when the node names none. */
  defaultModel?: string;
}
