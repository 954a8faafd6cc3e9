/** An append expected a stream version that is no longer current (HTTP 409). */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      `stream "${streamId}" is at version ${actualVersion}, but the append expected version ${expectedVersion}: ` +
        `reload the stream and decide again`,
    );
    this.name = 'ConcurrencyError';
  }
}

/** A retried append reused event ids in a way that does not match what was stored. */
export class IdempotencyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyError';
  }
}
