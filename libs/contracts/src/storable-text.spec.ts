import { unstorableString, unstorableText } from './storable-text';

describe('text Postgres cannot store', () => {
  it('accepts any well-formed Unicode, including pairs of surrogates (emoji) and other scripts', () => {
    expect(unstorableText({ name: 'Nguyễn Văn 🧭', notes: ['ลักพาตัว', 'قضية', '\\u0000 as plain text'], n: 3, ok: true, no: null })).toBeUndefined();
    expect(unstorableString('Soo Ah Kow')).toBeUndefined();
  });

  it('names where a NUL is, in a value or in a field name', () => {
    expect(unstorableText({ person: { name: 'Ali\u0000' } })).toBe('/person/name holds a NUL character (U+0000)');
    expect(unstorableText({ tags: ['a', { 'x\u0000': 1 }] })).toBe('/tags/1 has a field name that holds a NUL character (U+0000)');
    expect(unstorableString('\u0000')).toBe('holds a NUL character (U+0000)');
  });

  it('names where a lone surrogate is, high or low', () => {
    expect(unstorableText({ a: { 'b/c': 'x\ud800' } })).toBe('/a/b~1c holds a lone UTF-16 surrogate (U+D800), which is not a Unicode character');
    expect(unstorableText(['\udc00x'])).toBe('/0 holds a lone UTF-16 surrogate (U+DC00), which is not a Unicode character');
    expect(unstorableText('\ud83e')).toBe('(root) holds a lone UTF-16 surrogate (U+D83E), which is not a Unicode character');
  });

  it('walks hostile nesting without overflowing the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(unstorableText(deep)).toMatch(/^(\/0){200000} holds a NUL/);
  });
});
