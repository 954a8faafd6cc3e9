/**
 * An error that says an event cannot be applied yet but may be soon: the data key it needs is
 * still on its way, for instance. EventConsumer does not count it as a handler's failure: it stops
 * the partition's batch at that event (what came before commits), and the event comes again with
 * the next fetch, until it applies or `applyLaterLimitMs` has passed since it first said so, when
 * it is parked like any failing event.
 */
export interface ApplyLater {
  readonly applyLater: true;
}

export function isApplyLater(error: unknown): error is Error & ApplyLater {
  return error instanceof Error && (error as Partial<ApplyLater>).applyLater === true;
}
