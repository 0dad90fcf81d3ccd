// Thrown when the caller breaks step()'s contract (e.g. resuming an execution that does not wait). Flow problems
// never throw: they end the turn as `failed`.
export class EngineInputError extends Error {
  override readonly name = 'EngineInputError';
}
