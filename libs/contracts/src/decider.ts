/**
 * The decider pattern: an aggregate's behaviour as pure functions with no I/O.
 * `decide` turns a command and the current state into new events (or throws a DomainError);
 * `evolve` folds one event into the state.
 */
/** An event as the domain sees it: its type and payload, before it is wrapped in an envelope. */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  initialState: () => State;
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
}

/** A business rule refused a command. `code` is stable for clients; the message says what to do. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
