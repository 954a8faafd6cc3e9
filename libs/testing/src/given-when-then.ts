import { Decider, DomainError, DomainEvent } from '@interlink/contracts';

/**
 * Given / when / then for deciders: given these past events, when this command, then these new
 * events (or this domain error). Pure: no I/O.
 */
export function given<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, past: E[] = []) {
  const state = past.reduce(decider.evolve, decider.initialState());
  return {
    when(command: C) {
      const run = () => decider.decide(command, state);
      return {
        then(expected: E[]) {
          expect(run()).toEqual(expected);
        },
        thenNothing() {
          expect(run()).toEqual([]);
        },
        thenRefused(code: string, message?: RegExp) {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe(code);
          if (message) expect((error as DomainError).message).toMatch(message);
        },
      };
    },
  };
}
