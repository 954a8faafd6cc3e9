import { createHash } from 'node:crypto';

/**
 * RFC 8785 JSON Canonicalization Scheme: keys sorted by UTF-16 code units recursively, no
 * whitespace, numbers and strings as ECMAScript JSON.stringify writes them. Throws on non-finite
 * numbers, undefined inside arrays, bigint, functions (and symbols and cycles). Object properties
 * whose value is undefined are omitted, as JSON.stringify does.
 *
 * `toJSON` is honoured like JSON.stringify does, so a `Date` in a payload hashes the same before
 * it is sent as after the recipient parses it back into a string.
 *
 * Strings are kept exactly as JSON.stringify writes them, lone surrogates included (as `\udxxx`),
 * although RFC 8785 asks for an error there: every producer and verifier here is ECMAScript, and
 * refusing them would make one odd string in a payload stop a whole batch from being published.
 */
export function canonicalJson(value: unknown): string {
  const text = encode(value, '', '$', []);
  if (text === undefined) throw new TypeError('canonicalJson: undefined has no JSON form');
  return text;
}

/** 'sha256:' + lowercase hex of SHA-256 of the UTF-8 bytes of canonicalJson(data). */
export function dataDigest(data: unknown): string {
  return sha256Text(canonicalJson(data));
}

export function sha256Text(text: string): string {
  return 'sha256:' + createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `undefined` means "leave this out" (an object property), as it does for JSON.stringify. */
function encode(input: unknown, key: string, path: string, ancestors: object[]): string | undefined {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();

  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} at ${path} is not a finite number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new TypeError(`canonicalJson: a ${typeof value} at ${path} has no JSON form`);
  }
  if (value === null) return 'null';

  const object = value as object;
  if (ancestors.includes(object)) throw new TypeError(`canonicalJson: ${path} refers back to itself`);
  ancestors.push(object);
  let text: string;
  if (Array.isArray(object)) {
    const items = object.map((item, index) => {
      const encoded = encode(item, String(index), `${path}[${index}]`, ancestors);
      if (encoded === undefined) throw new TypeError(`canonicalJson: undefined at ${path}[${index}] (an array cannot leave out an item)`);
      return encoded;
    });
    text = `[${items.join(',')}]`;
  } else {
    const members: string[] = [];
    // The default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
    for (const name of Object.keys(object).sort()) {
      const encoded = encode((object as Record<string, unknown>)[name], name, `${path}.${name}`, ancestors);
      if (encoded !== undefined) members.push(`${JSON.stringify(name)}:${encoded}`);
    }
    text = `{${members.join(',')}}`;
  }
  ancestors.pop();
  return text;
}
