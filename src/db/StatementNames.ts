/** Statement texts given a name, at most; beyond this everything else runs unnamed (nothing breaks). */
const MAX_NAMED = 500;
/** A text is named on its second sighting: one-off statements (DDL, migrations) stay unnamed. */
const NAME_AFTER = 2;
/** Texts seen once that are remembered, at most (they are forgotten all at once past this). */
const MAX_CANDIDATES = 5000;

/**
 * Which statements run as named prepared statements, for both backends: repeated parameterised texts (Kysely's
 * compiled SQL is stable per query shape, so one shape is one name), bounded, minus texts that stopped preparing.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly sightings = new Map<string, number>();
  private readonly unpreparable = new Set<string>();
  private named = 0;

  /** The name to run this text under, or undefined to run it unnamed. */
  nameOf(text: string, values: readonly unknown[]): string | undefined {
    const known = this.names.get(text);
    if (known) return known;
    if (values.length === 0 || this.named >= MAX_NAMED || this.unpreparable.has(text)) return undefined;
    const count = (this.sightings.get(text) ?? 0) + 1;
    if (count < NAME_AFTER) {
      if (this.sightings.size >= MAX_CANDIDATES) this.sightings.clear();
      this.sightings.set(text, count);
      return undefined;
    }
    this.sightings.delete(text);
    this.named += 1;
    const name = `cx_${this.named}`;
    this.names.set(text, name);
    return name;
  }

  /** The text failed as a prepared statement (e.g. its table changed under it): run it unnamed from now on. */
  forget(text: string): void {
    this.names.delete(text);
    if (this.unpreparable.size < MAX_CANDIDATES) this.unpreparable.add(text);
  }
}

/** 0A000 "cached plan must not change result type": a table changed under a prepared statement. */
export function isPlanChanged(error: unknown): boolean {
  return (error as { code?: string })?.code === '0A000';
}

/** 25P02: an earlier statement of this transaction failed, so nothing more runs in it. */
export function isTransactionAborted(error: unknown): boolean {
  return (error as { code?: string })?.code === '25P02';
}
