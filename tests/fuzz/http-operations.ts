import fc from 'fast-check';
import { Raw, hostileText, hostileUrlPart, hugeText, jsonText, nested, percentEncode, unknownFieldName, wrongValue } from './http-arbitraries';
import { Wire } from './http-client';

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One operation of a service's document, as the fuzzer drives it. */
export interface Operation {
  service: string;
  method: string;
  template: string;
  /** `POST /suspects/{suspectId}/arrest` */
  name: string;
  path: Parameter[];
  query: Parameter[];
  headers: Parameter[];
  body?: Schema;
}

/** Every operation of a document; fails on what the fuzzer cannot drive rather than leaving it out. */
export function operationsOf(service: string, doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const name = `${method.toUpperCase()} ${template}`;
      const parameters = op.parameters ?? [];
      const inTemplate = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const described = parameters.filter((p) => p.in === 'path').map((p) => p.name);
      const undescribed = inTemplate.filter((p) => !described.includes(p));
      if (undescribed.length > 0) {
        throw new Error(`${service} ${name}: the document does not describe the path parameter(s) ${undescribed.join(', ')}, so nothing can be generated for them`);
      }
      const cookies = parameters.filter((p) => p.in === 'cookie').map((p) => p.name);
      if (cookies.length > 0) throw new Error(`${service} ${name}: no generator for cookie parameters (${cookies.join(', ')})`);
      const content = op.requestBody?.content ?? {};
      const types = Object.keys(content);
      if (types.some((t) => t !== 'application/json')) throw new Error(`${service} ${name}: no generator for a request body of type ${types.join(', ')}`);
      operations.push({
        service,
        method: method.toUpperCase(),
        template,
        name,
        path: parameters.filter((p) => p.in === 'path'),
        query: parameters.filter((p) => p.in === 'query'),
        headers: parameters.filter((p) => p.in === 'header'),
        body: content['application/json']?.schema,
      });
    }
  }
  return operations;
}

/** Who sends the request: mostly someone allowed to; sometimes no one, or someone who may not. */
export type Caller = 'allowed' | 'none' | 'not-a-jwt' | 'forged' | 'other-agency' | 'wrong-role' | 'expired';

/** One request, as a counterexample prints it. */
export interface FuzzRequest {
  caller: Caller;
  method: string;
  /** Encoded path with its query string. */
  url: string;
  headers: Record<string, string>;
  /** JSON (Raw parts written as they are), or raw text with its own content type. */
  body?: { json: unknown } | { text: string | Raw; contentType?: string; encoding?: string };
  /** Bytes sent over a plain socket instead, for what no client library sends. */
  raw?: string;
}

const clip = (text: string, most = 240) => (text.length > most ? `${text.slice(0, most)}…(${text.length} characters)` : text);

/** A request as a counterexample prints it: short, with long parts clipped. */
function printable(request: FuzzRequest): FuzzRequest {
  const body = !request.body ? undefined : 'json' in request.body ? clip(jsonText(request.body.json)) : { ...request.body, text: request.body.text instanceof Raw ? request.body.text.label : clip(request.body.text) };
  const shown = { ...request, url: clip(request.url), ...(request.raw ? { raw: clip(request.raw) } : {}), ...(body ? { body } : {}) };
  return Object.assign(request, { [fc.toStringMethod]: () => fc.stringify(shown) });
}

/** Values a path parameter may take when it is valid; the fuzzer knows no other parameters. */
export type PathValues = Record<string, () => fc.Arbitrary<string>>;
/** Values a documented request header may take when it is valid. */
export type HeaderValues = Record<string, () => fc.Arbitrary<string>>;

const words = fc.constantFrom('KLIA', 'La Molina', 'Tan Ah Kow', 'Siti Nurhaliza binti Ahmad', 'Myawaddy', 'call centre', 'x');

function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const found = doc.components?.schemas?.[name];
  if (!found) throw new Error(`the document refers to schema ${schema.$ref}, which it does not define`);
  return found;
}

/** A valid-looking value of a schema: examples where the document gives them, else plausible text. */
export function validOf(doc: OpenApiDocument, given: Schema, where: string): fc.Arbitrary<unknown> {
  // A $ref with a description of its own comes wrapped in a one-element allOf.
  const schema = resolve(doc, given.allOf?.length === 1 ? given.allOf[0] : given);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      if (schema.format === 'uuid') return fc.uuid({ version: [4, 7] });
      if (schema.format) throw new Error(`no generator for strings of format ${schema.format} (${where})`);
      return schema.example !== undefined ? fc.constant(schema.example) : words;
    case 'number':
    case 'integer':
      return fc.integer({ min: schema.minimum ?? 1, max: Math.min(schema.maximum ?? 100, 100) });
    case 'boolean':
      return fc.boolean();
    case 'array':
      if (!schema.items) throw new Error(`no generator for an array without items (${where})`);
      return fc.array(validOf(doc, schema.items, `${where}[]`), { minLength: 1, maxLength: 3 });
    case 'object': {
      const properties = schema.properties ?? {};
      const arbitraries = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, validOf(doc, s, `${where}.${k}`)]));
      return fc.record(arbitraries, { requiredKeys: schema.required ?? [] });
    }
    default:
      throw new Error(`no generator for schema ${JSON.stringify(schema)} (${where})`);
  }
}

type Tree = Record<string, unknown> | unknown[];

/** Every place in a value (`[]` is the root), objects and arrays included. */
function places(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const found = [at];
  if (Array.isArray(value)) value.forEach((v, i) => found.push(...places(v, [...at, i])));
  else if (typeof value === 'object' && value !== null && !(value instanceof Raw)) {
    for (const [k, v] of Object.entries(value)) found.push(...places(v, [...at, k]));
  }
  return found;
}

function replaced(value: unknown, at: (string | number)[], by: (old: unknown) => unknown): unknown {
  if (at.length === 0) return by(value);
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Tree;
  const [head, ...rest] = at;
  (copy as Record<string | number, unknown>)[head] = replaced((copy as Record<string | number, unknown>)[head], rest, by);
  return copy;
}

function withoutKey(value: unknown, at: (string | number)[]): unknown {
  if (at.length === 0) return value;
  const parent = at.slice(0, -1);
  const key = at[at.length - 1];
  return replaced(value, parent, (old) => {
    if (Array.isArray(old)) return old.filter((_, i) => i !== key);
    const { [key as string]: _gone, ...rest } = old as Record<string, unknown>;
    return rest;
  });
}

function valueAt(value: unknown, at: (string | number)[]): unknown {
  return at.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Raw);

/** A place in `value` chosen by `pick`, a number from the arbitrary. */
const placeAt = (value: unknown, pick: number, filter: (p: (string | number)[]) => boolean = () => true) => {
  const candidates = places(value).filter(filter);
  return candidates.length ? candidates[pick % candidates.length] : [];
};

/** Bodies: valid, one field hostile, one missing, one extra, all of it wrong, nested, oversized, malformed, mislabelled. */
function bodyArbitrary(doc: OpenApiDocument, op: Operation): fc.Arbitrary<FuzzRequest['body']> {
  const valid = op.body ? validOf(doc, op.body, `${op.service} ${op.name} body`) : fc.constant({});
  const at = fc.nat();
  const json = (a: fc.Arbitrary<unknown>) => a.map((value) => ({ json: value }));
  return fc.oneof(
    { weight: 4, arbitrary: json(valid) },
    { weight: 6, arbitrary: json(fc.tuple(valid, at, hostileText()).map(([v, i, text]) => replaced(v, placeAt(v, i), () => text))) },
    { weight: 4, arbitrary: json(fc.tuple(valid, at, wrongValue()).map(([v, i, bad]) => replaced(v, placeAt(v, i), () => bad))) },
    { weight: 1, arbitrary: json(fc.tuple(valid, at, hugeText()).map(([v, i, huge]) => replaced(v, placeAt(v, i), () => huge))) },
    { weight: 3, arbitrary: json(fc.tuple(valid, at).map(([v, i]) => withoutKey(v, placeAt(v, i, (p) => p.length > 0)))) },
    { weight: 2, arbitrary: json(fc.tuple(valid, at).map(([v, i]) => replaced(v, placeAt(v, i, (p) => p.length > 0), () => null))) },
    {
      weight: 2,
      arbitrary: json(
        fc.tuple(valid, at, unknownFieldName(), wrongValue()).map(([v, i, name, extra]) =>
          replaced(v, placeAt(v, i, (p) => isObject(valueAt(v, p))), (old) => ({ [name]: extra, ...(old as object) })),
        ),
      ),
    },
    { weight: 2, arbitrary: json(fc.tuple(valid, at).map(([v, i]) => replaced(v, placeAt(v, i, (p) => p.length > 0), (old) => [old]))) },
    { weight: 1, arbitrary: json(valid.map((v) => [v])) },
    { weight: 1, arbitrary: json(wrongValue()) },
    {
      weight: 3,
      arbitrary: json(
        fc.tuple(valid, at, fc.integer({ min: 33, max: 5000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([v, i, depth, kind]) =>
          replaced(v, placeAt(v, i), () => nested(depth, kind)),
        ),
      ),
    },
    { weight: 1, arbitrary: json(fc.constantFrom(nested(100_000), nested(200_000, 'object'))) },
    {
      weight: 1,
      arbitrary: json(
        fc.tuple(valid, at).map(([v, i]) => replaced(v, placeAt(v, i), () => new Raw('1.1 MB string', () => JSON.stringify('x'.repeat(1_100_000))))),
      ),
    },
    { weight: 1, arbitrary: json(fc.constant(nested(600_000))) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('{', '{"commandId":}', '{"a":1,}', "{'a':1}", 'NaN', '[1,2', '{"a":"\\x00"}', '{"a":"\\ud800"', '\ufeff{}', '\u0000', 'nul', '{"a":1}garbage', '')
        .map((text) => ({ text, contentType: 'application/json' })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          valid,
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/xml',
            'application/json; charset=utf-16le',
            'application/json; charset=latin1',
            'application/json; charset=nope',
            'application/merge-patch+json',
            '',
            'application/json; charset=utf-8; charset=utf-7',
          ),
        )
        .map(([v, contentType]) => ({ text: jsonText(v), contentType })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'identity, gzip')).map(([v, encoding]) => ({ text: jsonText(v), contentType: 'application/json', encoding })),
    },
  );
}

function queryString(doc: OpenApiDocument, op: Operation): fc.Arbitrary<string> {
  const encode = (value: unknown) => percentEncode(String(value));
  const valid = fc.record(
    Object.fromEntries(op.query.map((p) => [p.name, validOf(doc, p.schema ?? {}, `${op.service} ${op.name} query ${p.name}`).map(encode)])),
    { requiredKeys: op.query.filter((p) => p.required).map((p) => p.name) },
  );
  const join = (pairs: [string, string][]) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : '');
  const names = op.query.length ? fc.constantFrom(...op.query.map((p) => encodeURIComponent(p.name))) : fc.constant('q');
  return fc.oneof(
    { weight: 6, arbitrary: valid.map((q) => join(Object.entries(q))) },
    { weight: 3, arbitrary: fc.tuple(valid, names, hostileUrlPart()).map(([q, name, bad]) => join([...Object.entries(q).filter(([k]) => k !== name), [name, bad]])) },
    { weight: 1, arbitrary: fc.tuple(valid, names, fc.array(hostileUrlPart(), { minLength: 2, maxLength: 3 })).map(([q, name, bad]) => join([...Object.entries(q), ...bad.map((b) => [name, b] as [string, string])])) },
    { weight: 1, arbitrary: fc.tuple(valid, hostileUrlPart(), hostileUrlPart()).map(([q, name, bad]) => join([...Object.entries(q), [name, bad]])) },
    { weight: 1, arbitrary: fc.constantFrom('?a[b]=c', '?__proto__[x]=1', '?constructor[prototype][x]=1', '?&&&', '?=', '?' + 'a=1&'.repeat(2000), '?%00=%00', '?x=' + 'y'.repeat(20_000)) },
  );
}

function pathOf(op: Operation, values: PathValues): fc.Arbitrary<string> {
  const segments = op.path.map((p) => {
    const valid = values[p.name];
    if (!valid) throw new Error(`${op.service} ${op.name}: no generator for path parameter {${p.name}}; add one to the path values of the fuzz test`);
    return fc.oneof({ weight: 8, arbitrary: valid().map(percentEncode) }, { weight: 2, arbitrary: hostileUrlPart() });
  });
  return fc.tuple(...segments).map((filled) => op.path.reduce((path, p, i) => path.replace(`{${p.name}}`, filled[i]), op.template));
}

function headersOf(op: Operation, values: HeaderValues): fc.Arbitrary<Record<string, string>> {
  const entries = op.headers.map((h) => {
    const valid = values[h.name.toLowerCase()];
    if (!valid) throw new Error(`${op.service} ${op.name}: no generator for header ${h.name}; add one to the header values of the fuzz test`);
    // Node sends header values as Latin-1: UTF-8 text arrives as its bytes read one by one (Ã©).
    const hostile = fc.constantFrom('', 'a', 'x'.repeat(600), 'é ñ ü', 'Ã©Ã¨', '\t', '-1', '1e9', '99999999999999999999');
    return fc.oneof({ weight: 9, arbitrary: valid() }, { weight: 1, arbitrary: hostile }).map((v) => [h.name, v] as [string, string]);
  });
  return fc.tuple(...entries).map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined)));
}

const CALLERS: fc.Arbitrary<Caller> = fc.oneof(
  { weight: 18, arbitrary: fc.constant<Caller>('allowed') },
  { weight: 2, arbitrary: fc.constantFrom<Caller>('none', 'not-a-jwt', 'forged', 'other-agency', 'wrong-role', 'expired') },
);

/** Requests that reach past Node's HTTP parser only as bytes on a socket. */
const rawRequests = (op: Operation): fc.Arbitrary<string> => {
  const path = op.template.replace(/\{[^}]+\}/g, 'x');
  return fc.constantFrom(
    `${op.method} ${path}\u0000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `${op.method} ${path} HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\nConnection: close\r\n\r\n`,
    `${op.method} ${path} HTTP/1.1\r\nHost: x\r\nno colon here\r\nConnection: close\r\n\r\n`,
    `${op.method} /${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `${op.method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    `${op.method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n`,
    `${op.method} ${path} HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
};

/** The requests of one operation: each breaks one thing, or nothing, or (sometimes) the bytes. */
export function requestsOf(doc: OpenApiDocument, op: Operation, values: { path: PathValues; headers: HeaderValues }): fc.Arbitrary<FuzzRequest> {
  const sendsBody = !['GET', 'HEAD', 'DELETE'].includes(op.method);
  const body = sendsBody ? bodyArbitrary(doc, op) : fc.constant(undefined);
  const structured = fc
    .record({ caller: CALLERS, path: pathOf(op, values.path), query: queryString(doc, op), headers: headersOf(op, values.headers), body })
    .map(({ caller, path, query, headers, body }) => printable({ caller, method: op.method, url: path + query, headers, ...(body ? { body } : {}) }));
  return fc.oneof(
    { weight: 49, arbitrary: structured },
    { weight: 1, arbitrary: rawRequests(op).map((raw) => printable({ caller: 'none', method: op.method, url: op.template, headers: {}, raw })) },
  );
}

/** The request's bytes, with the caller's token. */
export function wireOf(request: FuzzRequest, token: string | undefined): Wire {
  const headers: Record<string, string> = { ...request.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: Buffer | undefined;
  if (request.body && 'json' in request.body) {
    body = Buffer.from(jsonText(request.body.json), 'utf8');
    headers['content-type'] = 'application/json';
  } else if (request.body) {
    const text = request.body.text instanceof Raw ? request.body.text.json() : request.body.text;
    body = Buffer.from(text, 'utf8');
    if (request.body.contentType) headers['content-type'] = request.body.contentType;
    if (request.body.encoding) headers['content-encoding'] = request.body.encoding;
  }
  return { method: request.method, path: request.url, headers, body };
}
