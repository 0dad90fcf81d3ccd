// Where the widget keeps what a reload needs.
//
// The conversation (its id and its long-lived conversationToken) goes to sessionStorage: it survives a reload and
// navigation within the tab, which is what "restore on reload" needs, and it is gone when the tab closes, so a
// shared computer does not hand the next person the previous visitor's conversation, and two tabs do not fight over
// one conversation (the second would get 409 conversation_busy). The session token (a 24 h bearer) is never stored:
// a reload opens a fresh session for the same conversation with one request, as the API's renewal is designed.
// The visitor id (customerId, not a secret; attribution of later purchases) goes to localStorage so it outlives tabs.

export interface SavedConversation {
  conversationId: string;
  conversationToken: string;
  /** The panel was open: reopen it after the reload. */
  open: boolean;
}

const storageKey = (publicKey: string) => `comerix-chat:${publicKey}`;

export function loadConversation(publicKey: string): SavedConversation | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(storageKey(publicKey)) ?? 'null') as SavedConversation | null;
    return value && typeof value.conversationId === 'string' && typeof value.conversationToken === 'string'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

export function saveConversation(publicKey: string, value: SavedConversation | undefined): void {
  try {
    if (value) sessionStorage.setItem(storageKey(publicKey), JSON.stringify(value));
    else sessionStorage.removeItem(storageKey(publicKey));
  } catch {
    // Storage can be off (private modes, blocked cookies): the widget still works, it just forgets on reload.
  }
}

/** A stable, random visitor id for this browser. */
export function visitorId(): string {
  const key = 'comerix-chat:visitor';
  try {
    const known = localStorage.getItem(key);
    if (known) return known;
    const id = `v-${crypto.randomUUID()}`;
    localStorage.setItem(key, id);
    return id;
  } catch {
    return `v-${crypto.randomUUID()}`;
  }
}
