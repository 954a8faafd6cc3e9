import { EventEnvelope } from '@interlink/contracts';
import { DecisionContext } from './decision-context';

/** A reaction to another agency's event: it usually decides a command in this agency. */
export type PolicyHandler = (event: EventEnvelope<any>, ctx: DecisionContext) => Promise<void>;

/**
 * A policy: named, with one handler per event type it reacts to. Events it appends carry the
 * consumed event's correlation id, its id as causation, and the actor `<agency>/policy/<name>`.
 */
export interface Policy {
  name: string;
  on: Record<string, PolicyHandler>;
}

export function definePolicy(policy: Policy): Policy {
  if (!/^[a-z][a-z0-9-]*$/.test(policy.name)) throw new Error(`policy name "${policy.name}" must be kebab-case`);
  return policy;
}
