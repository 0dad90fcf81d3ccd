import { createContext, useContext } from 'react';
import type { AdminUser } from '../api/client.js';

export interface Session {
  user: AdminUser;
  /** Editors and owners change things; a viewer's screens show no edit controls. */
  canEdit: boolean;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the logged-in shell');
  return session;
}
