export type Edit = 'substitution' | 'transposition' | 'insertion' | 'deletion';

/**
 * The single Damerau–Levenshtein edit (optimal string alignment) that turns `a` into `b`, or undefined
 * when they are equal or further apart. Linear and allocation-free: a full distance matrix would cost
 * O(n·m) per token pair, and all we ever need to know is "at most one".
 */
export function singleEdit(a: string, b: string): Edit | undefined {
  const la = a.length;
  const lb = b.length;
  if (la === lb) {
    let i = 0;
    while (i < la && a.charCodeAt(i) === b.charCodeAt(i)) i++;
    if (i === la) return undefined;
    if (i + 1 < la && a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i) && sameFrom(a, i + 2, b, i + 2)) {
      return 'transposition';
    }
    return sameFrom(a, i + 1, b, i + 1) ? 'substitution' : undefined;
  }
  if (la + 1 === lb) return oneExtra(b, a) ? 'insertion' : undefined;
  if (lb + 1 === la) return oneExtra(a, b) ? 'deletion' : undefined;
  return undefined;
}

/** True when `longer` is `shorter` with exactly one character added somewhere. */
function oneExtra(longer: string, shorter: string): boolean {
  let i = 0;
  while (i < shorter.length && longer.charCodeAt(i) === shorter.charCodeAt(i)) i++;
  return sameFrom(longer, i + 1, shorter, i);
}

function sameFrom(a: string, ia: number, b: string, ib: number): boolean {
  if (a.length - ia !== b.length - ib) return false;
  for (; ia < a.length; ia++, ib++) {
    if (a.charCodeAt(ia) !== b.charCodeAt(ib)) return false;
  }
  return true;
}
