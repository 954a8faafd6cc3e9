/** The payload or envelope of an event does not match its contract. */
export class ContractViolation extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length ? `${message}: ${details.join('; ')}` : message);
    this.name = 'ContractViolation';
  }
}

/** An event type (or version of it) that this registry does not know. */
export class UnknownEventType extends Error {
  constructor(
    readonly type: string,
    readonly version?: number,
  ) {
    super(
      version === undefined
        ? `unknown event type "${type}"`
        : `unknown version ${version} of event type "${type}"`,
    );
    this.name = 'UnknownEventType';
  }
}
