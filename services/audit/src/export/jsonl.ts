import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EventEnvelope, describeSchemaErrors, envelopeSchema } from '@interlink/contracts';

/** A line of a JSON Lines export that is not an event; `line` counts from 1. */
export class JsonLinesError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'JsonLinesError';
  }
}

/**
 * One event per line, each with its keys sorted by UTF-16 code units at every level (the order
 * RFC 8785 prescribes, which the chain hashes also use), so the same event is always the same
 * line however it was built: exports diff cleanly and a line can be hashed as it stands.
 */
export function toJsonLines(envelopes: EventEnvelope[]): string {
  return envelopes.map((envelope) => `${canonicalJson(envelope)}\n`).join('');
}

/**
 * The events of a JSON Lines text, in order. A final newline is optional and CRLF line ends are
 * accepted; a blank line, a line that is not JSON or one that is not an event envelope is refused
 * with its line number. Payloads are not checked here: that needs the event's own schema version.
 */
export function parseJsonLines(text: string): EventEnvelope[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((raw, index) => {
    const number = index + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') throw new JsonLinesError(number, 'is empty; every line must hold one event');
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new JsonLinesError(number, `is not valid JSON (${(error as Error).message})`);
    }
    const problems = envelopeProblems(value);
    if (problems.length > 0) throw new JsonLinesError(number, `is not an event envelope: ${problems.join('; ')}`);
    return value as EventEnvelope;
  });
}

/**
 * JSON.stringify writes integer-like keys first whatever order an object was built in, so sorting
 * an object's keys is not enough: members are written one by one. Values are JSON.stringify's.
 */
function canonicalJson(input: unknown): string {
  const value = input !== null && typeof input === 'object' && typeof (input as { toJSON?: unknown }).toJSON === 'function'
    ? (input as { toJSON(): unknown }).toJSON()
    : input;
  if (Array.isArray(value)) return `[${value.map((item) => (isOmitted(item) ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .filter((key) => !isOmitted(record[key]))
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`a ${typeof value} has no JSON form`);
  return text;
}

function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

let validators: { full: ValidateFunction; withheld: ValidateFunction } | undefined;

/**
 * Auditors hold RED events as stubs without `data`, marked `datawithheld`; they are part of the
 * hash chain, so an export of an audit log has to carry them and read them back.
 */
function envelopeProblems(value: unknown): string[] {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    const { $id: _id, ...schema } = envelopeSchema;
    validators = {
      full: ajv.compile(schema),
      withheld: ajv.compile({
        ...schema,
        required: schema.required.filter((name) => name !== 'data'),
        properties: { datawithheld: { type: 'string', minLength: 1 }, ...schema.properties },
      }),
    };
  }
  const stub = value !== null && typeof value === 'object' && 'datawithheld' in value;
  const validate = stub ? validators.withheld : validators.full;
  return validate(value) ? [] : describeSchemaErrors(validate.errors);
}

