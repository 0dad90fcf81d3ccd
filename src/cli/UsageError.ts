/** A usage error: the CLI prints it and exits 2 (DESIGN §4: 0 ok, 1 runtime error, 2 usage error). */
export class UsageError extends Error {}

export const collect = (value: string, previous: string[]) => [...previous, value];
