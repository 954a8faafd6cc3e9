import { unstorableString, unstorableText } from '@interlink/contracts';

/**
 * How deep objects and arrays may nest in a request body. No field of any DTO goes beyond a
 * few levels; class-transformer and class-validator recurse once per level, so a body nested
 * thousands of levels deep would overflow their stack.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * Where a JSON value first nests objects and arrays more than `limit` levels deep, as the path
 * of keys to that place; nothing when it does not. Walks without recursion.
 */
export function nestedBeyond(value: unknown, limit: number = MAX_BODY_DEPTH): string[] | undefined {
  const pending: { item: unknown; depth: number; at: string[] }[] = [{ item: value, depth: 0, at: [] }];
  while (pending.length > 0) {
    const { item, depth, at } = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > limit) return at;
    for (const [key, child] of Object.entries(item)) pending.push({ item: child, depth: depth + 1, at: [...at, key] });
  }
  return undefined;
}

/** Where a request's input comes from, as Nest's pipes are told. */
export type InputSource = 'body' | 'query' | 'param' | 'custom';

const KIND: Record<Exclude<InputSource, 'body' | 'custom'>, string> = { query: 'query parameter', param: 'path parameter' };

/** Why one named query or path parameter (its name, then its value) cannot be taken. */
function namedInput(kind: string, name: string, value: unknown): string | undefined {
  const badName = unstorableString(name);
  if (badName) return `the name of a ${kind} ${badName}`;
  const badValue = unstorableText(value, name);
  return badValue ? `${kind} ${badValue}` : undefined;
}

/**
 * What is wrong with one input of a request that the services must refuse before anything reads
 * it: text Postgres cannot store (a NUL, a lone UTF-16 surrogate) anywhere in it, and a body
 * nested deeper than MAX_BODY_DEPTH. `name` is the parameter's name when the input is one
 * parameter (`@Param('suspectId')`), absent when it is all of them (`@Query()`).
 * Returns a sentence naming the field, or nothing when the input is fine.
 */
export function hostileInput(value: unknown, source: InputSource, name?: string): string | undefined {
  if (source === 'custom' || value === undefined) return undefined;
  if (source === 'body') {
    const deep = nestedBeyond(value);
    if (deep) return `body field /${deep[0].replace(/~/g, '~0').replace(/\//g, '~1')} nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep; no field of this API needs more than a few`;
    const text = unstorableText(value);
    if (!text) return undefined;
    return text.startsWith('(root) ') ? `the body ${text.slice('(root) '.length)}` : `body field ${text}`;
  }
  const kind = KIND[source];
  if (name !== undefined) return namedInput(kind, name, value);
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const why = namedInput(kind, key, item);
    if (why) return why;
  }
  return undefined;
}
