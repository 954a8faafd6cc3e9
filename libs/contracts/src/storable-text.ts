/**
 * Text that Postgres cannot hold. `text` and `jsonb` refuse U+0000, and `jsonb` refuses a lone
 * UTF-16 surrogate (half of a pair, which is not Unicode at all): such a value would fail far from
 * where it came in, in an insert or a projection, instead of being refused at the door.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describe(text: string): string | undefined {
  const found = UNSTORABLE.exec(text);
  if (!found) return undefined;
  if (found[0] === '\u0000') return 'holds a NUL character (U+0000)';
  const code = found[0].charCodeAt(0).toString(16).toUpperCase();
  return `holds a lone UTF-16 surrogate (U+${code}), which is not a Unicode character`;
}

/** Why `text` cannot be stored, or nothing: for one string such as a query parameter. */
export function unstorableString(text: string): string | undefined {
  return describe(text);
}

/**
 * The first place in a JSON value (strings and property names, at any depth) holding text that
 * Postgres cannot store, as `<JSON pointer> <why>`; nothing when all of it can be stored. Walks
 * without recursion, so hostile nesting cannot overflow the stack.
 */
export function unstorableText(value: unknown, root = ''): string | undefined {
  // Every event read is checked, and almost all are fine: look first without building the paths.
  if (!holdsUnstorable(value)) return undefined;
  const pending: [unknown, string][] = [[value, root]];
  while (pending.length > 0) {
    const [item, at] = pending.pop()!;
    if (typeof item === 'string') {
      const why = describe(item);
      if (why) return `${at || '(root)'} ${why}`;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) pending.push([item[i], `${at}/${i}`]);
    } else if (typeof item === 'object' && item !== null) {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const why = describe(key);
        if (why) return `${at || '(root)'} has a field name that ${why}`;
        pending.push([child, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
      }
    }
  }
  return undefined;
}

/**
 * Whether `text` may hold what UNSTORABLE finds: a NUL, or a surrogate that is not half of a pair.
 * isWellFormed is native and about 2.5 times as fast as the regular expression with its lookarounds,
 * which only runs where this says yes.
 */
function mayBeUnstorable(text: string): boolean {
  return !(text as WellFormedCheck).isWellFormed() || text.includes('\u0000');
}

/** String.prototype.isWellFormed: in Node 20 (ES2024), not in this project's ES2023 lib. */
type WellFormedCheck = string & { isWellFormed(): boolean };

function holdsUnstorable(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (mayBeUnstorable(item)) return true;
    } else if (Array.isArray(item)) {
      for (const child of item) pending.push(child);
    } else if (typeof item === 'object' && item !== null) {
      for (const key of Object.keys(item)) {
        if (mayBeUnstorable(key)) return true;
        pending.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}
