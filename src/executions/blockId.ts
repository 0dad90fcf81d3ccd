/** A block's id: `<executionId>.<sequence number>`, unique, and ordered within its execution. */
export function blockId(executionId: string, seq: number): string {
  return `${executionId}.${seq}`;
}

/** The sequence number in a block id (what SSE `id:` fields and poll cursors count). */
export function blockSeq(id: string): number {
  return Number(id.slice(id.lastIndexOf('.') + 1));
}
