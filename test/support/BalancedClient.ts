/**
 * A client behind a round-robin "load balancer" over `targets` (which a test may change while it runs). It retries a
 * request only when the connection failed, with the same headers (so the same Idempotency-Key): a retried turn cannot
 * apply twice. Answers of 500 or more are kept, for the test to assert there were none.
 */
export class BalancedClient {
  serverErrors: string[] = [];
  connectionRetries = 0;
  private next = 0;

  constructor(
    readonly targets: string[],
    private readonly patience: { attempts: number; pauseMs: number } = { attempts: 50, pauseMs: 10 },
  ) {}

  async call(
    path: string,
    init: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    for (let attempt = 0; attempt < this.patience.attempts; attempt++) {
      const base = this.targets[this.next++ % this.targets.length]!;
      try {
        const res = await fetch(`${base}${path}`, init);
        const body = (await res.json()) as Record<string, unknown>;
        if (res.status >= 500) this.serverErrors.push(`${res.status} ${path} ${JSON.stringify(body)}`);
        return { status: res.status, body };
      } catch {
        this.connectionRetries += 1;
        await new Promise((r) => setTimeout(r, this.patience.pauseMs));
      }
    }
    throw new Error(`${path}: no connection after ${this.patience.attempts} attempts`);
  }
}
