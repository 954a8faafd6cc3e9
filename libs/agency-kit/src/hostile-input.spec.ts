import { BadRequestException } from '@nestjs/common';
import { MAX_BODY_DEPTH, hostileInput, nestedBeyond } from './hostile-input';
import { HostileInputPipe } from './hostile-input.pipe';
import { toProblem } from './problem-details.filter';

/** Arrays inside each other, `depth` levels in all, around `inner`. */
function arrays(depth: number, inner: unknown = 1): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('nesting of a JSON value', () => {
  it('allows as many levels as the limit, and names the path to the first level beyond it', () => {
    expect(nestedBeyond(arrays(MAX_BODY_DEPTH))).toBeUndefined();
    expect(nestedBeyond({ a: { b: 'x' } }, 2)).toBeUndefined();
    expect(nestedBeyond({ a: { b: { c: 1 } } }, 2)).toEqual(['a', 'b']);
    expect(nestedBeyond({ ok: [1], deep: arrays(MAX_BODY_DEPTH) })).toEqual(['deep', ...Array(MAX_BODY_DEPTH - 1).fill('0')]);
    expect(nestedBeyond(arrays(1), 0)).toEqual([]);
  });

  it('counts objects and arrays alike, and scalars not at all', () => {
    expect(nestedBeyond('text', 0)).toBeUndefined();
    expect(nestedBeyond(null, 0)).toBeUndefined();
    expect(nestedBeyond([{ a: [{ b: 1 }] }], 3)).toEqual(['0', 'a', '0']);
  });

  it('walks nesting far beyond what a recursive walk survives', () => {
    expect(nestedBeyond(arrays(500_000))).toHaveLength(MAX_BODY_DEPTH);
  });
});

describe('hostile input of a request', () => {
  it('takes ordinary input, emoji and every script included', () => {
    expect(hostileInput({ person: { name: 'Nguyễn Văn 🧭', aliases: ['ลักพาตัว', '\u202eKLIA'] } }, 'body')).toBeUndefined();
    expect(hostileInput({ status: 'open', q: 'محمد' }, 'query')).toBeUndefined();
    expect(hostileInput('018f3f5e-1c2d-7a00-8000-000000000001', 'param', 'suspectId')).toBeUndefined();
    expect(hostileInput(undefined, 'body')).toBeUndefined();
  });

  it('names the body field that holds a lone surrogate or a NUL, at any depth', () => {
    expect(hostileInput({ person: { name: 'Tan\ud800' } }, 'body')).toBe('body field /person/name holds a lone UTF-16 surrogate (U+D800), which is not a Unicode character');
    expect(hostileInput({ persons: [{ name: 'ok' }, { name: '\udc00' }] }, 'body')).toBe(
      'body field /persons/1/name holds a lone UTF-16 surrogate (U+DC00), which is not a Unicode character',
    );
    expect(hostileInput({ 'x\u0000': 1 }, 'body')).toBe('the body has a field name that holds a NUL character (U+0000)');
    expect(hostileInput('a\u0000', 'body')).toBe('the body holds a NUL character (U+0000)');
  });

  it('names the query or path parameter, whether the handler takes one or all of them', () => {
    expect(hostileInput({ status: 'open', syndicateId: 'x\u0000' }, 'query')).toBe('query parameter syndicateId holds a NUL character (U+0000)');
    expect(hostileInput({ term: ['a', '\ud83e'] }, 'query')).toBe('query parameter term/1 holds a lone UTF-16 surrogate (U+D83E), which is not a Unicode character');
    expect(hostileInput({ 'q\u0000': 'a' }, 'query')).toBe('the name of a query parameter holds a NUL character (U+0000)');
    expect(hostileInput('abc\u0000', 'param', 'suspectId')).toBe('path parameter suspectId holds a NUL character (U+0000)');
    expect(hostileInput({ kind: 'suspect', id: '\ud800' }, 'param')).toBe('path parameter id holds a lone UTF-16 surrogate (U+D800), which is not a Unicode character');
  });

  it('names the top-level body field that nests too deep, before looking at its text', () => {
    expect(hostileInput({ commandId: 'x', person: arrays(MAX_BODY_DEPTH, '\u0000') }, 'body')).toBe(
      `body field /person nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep; no field of this API needs more than a few`,
    );
    expect(hostileInput(arrays(10_000), 'body')).toMatch(/^body field \/0 nests objects and arrays more than 32 levels deep/);
    expect(hostileInput(arrays(MAX_BODY_DEPTH + 1), 'body', undefined)).toMatch(/^body field \/0 nests/);
  });

  it('leaves what the framework supplies (the user, headers) alone', () => {
    expect(hostileInput('\u0000', 'custom')).toBeUndefined();
  });
});

describe('HostileInputPipe', () => {
  const pipe = new HostileInputPipe();

  it('passes input it takes on unchanged', () => {
    const body = { name: 'Tan Ah Kow' };
    expect(pipe.transform(body, { type: 'body' })).toBe(body);
    expect(pipe.transform(['a'], { type: 'body', metatype: Array })).toEqual(['a']);
  });

  it('refuses a list where the handler takes an object of a DTO class', () => {
    class Dto {}
    expect(() => pipe.transform([{ name: 'x' }], { type: 'body', metatype: Dto })).toThrow(BadRequestException);
  });

  it('refuses hostile input with a 400 problem that names the field', () => {
    let refused: unknown;
    try {
      pipe.transform('a\u0000', { type: 'param', data: 'suspectId' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(BadRequestException);
    expect(toProblem(refused)).toMatchObject({
      status: 400,
      detail: 'The request is invalid: path parameter suspectId holds a NUL character (U+0000).',
      errors: ['path parameter suspectId holds a NUL character (U+0000)'],
    });
  });
});
