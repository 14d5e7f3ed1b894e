import fc from 'fast-check';
import { Utf8Writer } from './utf8.js';

describe('Utf8Writer', () => {
  test('writes what TextEncoder gives for the joined strings, growing as needed', () => {
    fc.assert(
      fc.property(
        // Any UTF-16 text, lone surrogates included (they become U+FFFD either way).
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 64 }),
        (texts, capacity) => {
          const out = new Utf8Writer(capacity);
          texts.forEach((t) => out.write(t));
          const expected = new TextEncoder().encode(texts.join(''));
          expect(Buffer.from(out.bytes()).equals(Buffer.from(expected))).toBe(true);
          expect(out.byteLength).toBe(expected.byteLength);
        },
      ),
    );
  });

  test('join: head, the parts separated by commas, tail', () => {
    const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
    expect(text(Utf8Writer.join('[', ['1', '"ü"', '3'], ']'))).toBe('[1,"ü",3]');
    expect(text(Utf8Writer.join('', [], ''))).toBe('');
    expect(text(Utf8Writer.join('{"a":[', ['{}'], ']}'))).toBe('{"a":[{}]}');
  });

  test('a string far past the buffer, mostly beyond ASCII', () => {
    const out = new Utf8Writer(16);
    const text = '{"name":"' + 'Zürich ✓ 𝄞'.repeat(5000) + '"}';
    out.write('[');
    out.write(text);
    expect(Buffer.from(out.bytes()).toString('utf8')).toBe('[' + text);
  });
});
