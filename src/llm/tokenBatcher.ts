/** How long text deltas gather before they go out as one `token` event (DESIGN §6: ≤ 50 ms). */
export const TOKEN_BATCH_MS = 50;

/**
 * Gathers an answer's text deltas and hands them on at most every 50 ms, so a fast model does not become one event
 * (and one NOTIFY) per token. `flush` sends what is left at once; call it before the final block is written.
 */
export class TokenBatcher {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (text: string) => void,
    private readonly windowMs = TOKEN_BATCH_MS,
  ) {}

  push(delta: string): void {
    this.pending += delta;
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.send(text);
  }
}
