import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EventEnvelope, dataschemaFor, envelopeSchema, parseDataschema } from './envelope';
import { ContractViolation, UnknownEventType } from './errors';
import { PersonalDataSpec } from './personal-data';
import { unstorableText } from './storable-text';

type Data = Record<string, unknown>;

/**
 * One event type: the current version's schema, and for each older version its schema and the
 * function that lifts its payload one version up. Old events are upcast when read, never rewritten.
 */
export interface EventDefinition<D = Data, T extends string = string> {
  type: T;
  version: number;
  schema: object;
  /** Where the current version's payload holds personal data, which is sealed when stored. */
  personal?: readonly PersonalDataSpec[];
  /** Older versions: `upcast` turns version `n` data into version `n + 1` data. */
  history?: Record<number, { schema: object; upcast: (data: Data) => Data }>;
  /** Phantom field carrying the payload's TypeScript type. */
  readonly __data?: D;
}

export type DataOf<E> = E extends EventDefinition<infer D, string> ? D : never;

/** The domain event (type and payload) of a definition, for deciders' event unions. */
export type EventOf<E> = E extends EventDefinition<infer D, infer T> ? { type: T; data: D } : never;

/**
 * Defines an event type with payload `D`: `defineEvent<SuspectIdentified>()({ type: 'intel.police.suspect-identified', ... })`.
 * (Two calls, so that the payload type is given and the type name is inferred as a literal.)
 */
export function defineEvent<D>() {
  return <T extends string>(definition: Omit<EventDefinition<D, T>, '__data'>): EventDefinition<D, T> => {
    if (!Number.isInteger(definition.version) || definition.version < 1) {
      throw new Error(`event type "${definition.type}": version must be a whole number from 1`);
    }
    for (let v = 1; v < definition.version; v++) {
      if (!definition.history?.[v]) {
        throw new Error(`event type "${definition.type}" is at version ${definition.version} but has no upcaster from version ${v}`);
      }
    }
    return definition;
  };
}

function isEnvelope(value: unknown): value is EventEnvelope {
  return typeof value === 'object' && value !== null && typeof (value as EventEnvelope).dataschema === 'string';
}

/** Ajv's errors as sentences naming the field, e.g. `/person/name must NOT have fewer than 1 characters`. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(root)';
    if (e.keyword === 'additionalProperties') {
      return `${where} has an unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    }
    return `${where} ${e.message ?? 'is invalid'}`;
  });
}

/** Known event types, with compiled validators per version. */
export class EventRegistry {
  private readonly ajv: Ajv;
  private readonly definitions = new Map<string, EventDefinition<unknown>>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly validateEnvelope: ValidateFunction;

  constructor(definitions: EventDefinition<unknown>[] = []) {
    this.ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(this.ajv);
    this.validateEnvelope = this.ajv.compile(envelopeSchema);
    definitions.forEach((d) => this.register(d));
  }

  register(definition: EventDefinition<unknown>): this {
    if (this.definitions.has(definition.type)) {
      throw new Error(`event type "${definition.type}" is registered twice`);
    }
    this.definitions.set(definition.type, definition);
    this.validators.set(`${definition.type}@${definition.version}`, this.ajv.compile(definition.schema));
    for (const [version, old] of Object.entries(definition.history ?? {})) {
      this.validators.set(`${definition.type}@${version}`, this.ajv.compile(old.schema));
    }
    return this;
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  definition(type: string): EventDefinition<unknown> {
    const found = this.definitions.get(type);
    if (!found) throw new UnknownEventType(type);
    return found;
  }

  types(): string[] {
    return [...this.definitions.keys()].sort();
  }

  currentVersion(type: string): number {
    return this.definition(type).version;
  }

  /** Checks a payload against the schema of that version of its type; throws ContractViolation. */
  validateData(type: string, version: number, data: unknown): void {
    this.definition(type);
    const validate = this.validators.get(`${type}@${version}`);
    if (!validate) throw new UnknownEventType(type, version);
    if (!validate(data)) {
      throw new ContractViolation(`data of ${type} v${version} does not match its schema`, describeSchemaErrors(validate.errors));
    }
  }

  /** Checks an envelope and its payload as written (or as received, before upcasting). */
  validate(envelope: unknown): asserts envelope is EventEnvelope {
    if (!this.validateEnvelope(envelope)) {
      throw new ContractViolation('not a valid Interlink event envelope', describeSchemaErrors(this.validateEnvelope.errors));
    }
    const e = envelope as EventEnvelope;
    const unstorable = unstorableText(e);
    if (unstorable) throw new ContractViolation('the event holds text that cannot be stored', [unstorable]);
    const schema = parseDataschema(e.dataschema);
    if (!schema || schema.type !== e.type) {
      throw new ContractViolation(`dataschema "${e.dataschema}" does not name the event's type "${e.type}"`);
    }
    this.validateData(e.type, schema.version, e.data);
  }

  /**
   * Validates an envelope as read, lifts its data to the current version of its type and
   * validates the result. The stored event is untouched: upcasting happens on every read.
   */
  upcast<D = unknown>(envelope: unknown, options: { validated?: boolean } = {}): EventEnvelope<D> {
    if (!options.validated) this.validate(envelope);
    if (!isEnvelope(envelope)) throw new ContractViolation('not a valid Interlink event envelope');
    const definition = this.definition(envelope.type);
    let version = parseDataschema(envelope.dataschema)!.version;
    if (version > definition.version) throw new UnknownEventType(envelope.type, version);
    if (version === definition.version) return envelope as EventEnvelope<D>;
    let data = envelope.data as Data;
    while (version < definition.version) {
      data = definition.history![version].upcast(data);
      version++;
    }
    this.validateData(envelope.type, version, data);
    return { ...envelope, data: data as D, dataschema: dataschemaFor(envelope.type, version) };
  }
}
