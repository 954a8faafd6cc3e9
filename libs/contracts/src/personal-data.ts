/**
 * Personal data inside event payloads. A person-like part of a payload (a suspect's `person`, a
 * crossing's `traveller`, each of a rescue's `persons`) exists in three forms:
 *
 * - disclosed: the fields as the domain knows them (`name`, `passports`, ...);
 * - sealed: how it is stored and how it travels to recipients entitled to it. Its personal fields
 *   are encrypted under the key of one person record (`ref`); the other fields stay readable.
 *   Destroying that key erases the person everywhere at once (crypto-shredding);
 * - withheld: what a reader sees in place of personal fields it cannot read, `redacted` for a
 *   recipient not entitled to them, `erased` once the key is destroyed. It keeps the pseudonymous
 *   `ref` and the `digest` of the sealed fields, so the event's hash still verifies.
 *
 * Domain code only ever sees the disclosed and withheld forms: stores and consumers open sealed
 * parts before they hand events on.
 */
type Schema = Record<string, unknown>;

export const WITHHELD_REASONS = ['redacted', 'erased'] as const;
export type WithheldReason = (typeof WITHHELD_REASONS)[number];

/** A person part whose personal fields this reader does not have. */
export interface Withheld {
  withheld: WithheldReason;
  /** Pseudonymous id of the person record (the id of its data key). */
  ref: string;
  /** `sha256:` digest of the sealed fields, which the event's hash commits to. */
  digest: string;
}

/** A person part with its personal fields encrypted (base64url of IV, ciphertext and tag). */
export interface SealedPart {
  ref: string;
  sealed: string;
}

/**
 * Where a payload holds personal data: `at` is the field (`person`) or an array of parts
 * (`persons[]`); `fields` are the part's personal fields; `ref` names the field holding the id of
 * the person record, looked up on the part first and then on the payload (`personId`, `suspectId`,
 * or a path such as `suspect.id`).
 */
export interface PersonalDataSpec {
  at: string;
  fields: readonly string[];
  ref: string;
}

const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const DIGEST_PATTERN = '^sha256:[0-9a-f]{64}$';

/**
 * The schema of a person part in all three forms. `full` must be an object schema (see
 * schema-parts `object`); the sealed and withheld forms keep its other fields as they are.
 */
export function personalPart(full: Schema, fields: readonly string[]): Schema {
  const properties = full.properties as Record<string, Schema>;
  const required = (full.required as string[]) ?? [];
  for (const field of fields) {
    if (!properties[field]) throw new Error(`personal field "${field}" is not a property of the part's schema`);
  }
  const kept = Object.fromEntries(Object.entries(properties).filter(([name]) => !fields.includes(name)));
  const keptRequired = required.filter((name) => !fields.includes(name));
  const variant = (own: Record<string, Schema>): Schema => ({
    type: 'object',
    required: [...Object.keys(own), ...keptRequired],
    additionalProperties: false,
    properties: { ...kept, ...own },
  });
  return {
    anyOf: [
      full,
      variant({ ref: { type: 'string', pattern: UUID_PATTERN }, sealed: { type: 'string', pattern: '^[A-Za-z0-9_-]{40,65536}$' } }),
      variant({
        withheld: { enum: [...WITHHELD_REASONS] },
        ref: { type: 'string', pattern: UUID_PATTERN },
        digest: { type: 'string', pattern: DIGEST_PATTERN },
      }),
    ],
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isWithheldPart(part: unknown): part is Withheld {
  return isObject(part) && (WITHHELD_REASONS as readonly unknown[]).includes(part.withheld) && typeof part.ref === 'string';
}

export function isSealedPart(part: unknown): part is SealedPart {
  return isObject(part) && typeof part.sealed === 'string' && typeof part.ref === 'string';
}

/** The disclosed form of a part, or undefined when it is withheld (redacted or erased). */
export function disclosed<T extends object>(part: T | (Withheld & Partial<T>) | undefined): T | undefined {
  return part === undefined || isWithheldPart(part) ? undefined : (part as T);
}

/**
 * Calls `visit` with each person part the specs point at in `data` (a payload), and the id of
 * its person record. A part that is missing (an optional field) is skipped.
 */
export function forEachPersonalPart(
  data: unknown,
  specs: readonly PersonalDataSpec[],
  visit: (part: Record<string, unknown>, ref: string, spec: PersonalDataSpec, replace: (next: Record<string, unknown>) => void) => void,
): void {
  if (!isObject(data)) return;
  for (const spec of specs) {
    const many = spec.at.endsWith('[]');
    const field = many ? spec.at.slice(0, -2) : spec.at;
    const refOf = (part: Record<string, unknown>): string => {
      const ref = part[spec.ref] ?? spec.ref.split('.').reduce<unknown>((value, name) => (isObject(value) ? value[name] : undefined), data);
      if (typeof ref !== 'string') throw new Error(`personal data at "${spec.at}" has no "${spec.ref}" to key it by`);
      return ref;
    };
    const value = data[field];
    if (many && Array.isArray(value)) {
      value.forEach((part, index) => {
        if (isObject(part)) visit(part, refOf(part), spec, (next) => (value[index] = next));
      });
    } else if (!many && isObject(value)) {
      visit(value, refOf(value), spec, (next) => (data[field] = next));
    }
  }
}

/** Every sealed or withheld part anywhere in a payload, for readers that need no specs. */
export function protectedParts(data: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(data)) {
    for (const item of data) protectedParts(item, found);
  } else if (isObject(data)) {
    if (isSealedPart(data) || isWithheldPart(data)) found.push(data);
    else for (const value of Object.values(data)) protectedParts(value, found);
  }
  return found;
}
