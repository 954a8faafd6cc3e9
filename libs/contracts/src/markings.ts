/** Traffic Light Protocol 2.0 labels, from least to most restricted. */
export const TLP = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Classification = (typeof TLP)[number];

export function isClassification(value: unknown): value is Classification {
  return typeof value === 'string' && (TLP as readonly string[]).includes(value);
}

/** Use conditions attached to an event, e.g. no onward sharing without the owner's consent. */
export const HANDLING = ['no-onward-sharing', 'law-enforcement-only', 'personal-data', 'victim-identity'] as const;
export type Handling = (typeof HANDLING)[number];

export interface Marking {
  classification: Classification;
  handling: Handling[];
  /** Agency ids the event may be released to. */
  releasableTo: string[];
}

/**
 * Which of `releasableTo` may receive an event with this marking from `owner`:
 * RED never leaves its agency; every other label goes to the agencies named, never back to the owner.
 */
export function recipientsOf(owner: string, marking: Pick<Marking, 'classification' | 'releasableTo'>): string[] {
  if (marking.classification === 'RED') return [];
  return [...new Set(marking.releasableTo)].filter((agency) => agency !== owner).sort();
}
