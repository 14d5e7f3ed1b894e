/**
 * Strings written one after another into one UTF-8 buffer. A scoring worker's answer is one JSON
 * text per series; joining them into one string first made V8 flatten a multi-megabyte string that
 * TextEncoder then copied again. Hand-written because Buffer.write is already the primitive: what is
 * left is growing the buffer.
 *
 * Buffer.write, not TextEncoder.encodeInto: on the bench's answer (7.7 MB, four series with a
 * non-ASCII explanation) encodeInto into a fresh buffer took 24–50 ms and Buffer.write ~1 ms, with
 * the same bytes (lone surrogates become U+FFFD in both; utf8.test.ts compares them).
 */
export class Utf8Writer {
  private buf: Buffer;
  private size = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = Utf8Writer.allocate(Math.max(16, capacity));
  }

  get byteLength(): number {
    return this.size;
  }

  write(text: string): void {
    // Exact, so the write never stops short (Buffer.write would drop what does not fit).
    this.reserve(Buffer.byteLength(text, 'utf8'));
    this.size += this.buf.write(text, this.size, 'utf8');
  }

  /** The bytes written, a view of the writer's buffer (whose ArrayBuffer can then be transferred). */
  bytes(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.size);
  }

  /**
   * `head`, the parts separated by commas, then `tail`. A part may be given as pieces of its text
   * (engine/batch.ts, scoreSeriesJsonPieces), written one after another. Sized exactly first: a buffer
   * sized for ASCII grew (a copy of the megabytes written so far) whenever one series had a non-ASCII
   * explanation.
   */
  static join(head: string, parts: readonly (string | readonly string[])[], tail: string): Uint8Array {
    const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
    let size = bytes(head) + bytes(tail) + Math.max(0, parts.length - 1);
    for (const part of parts) {
      if (typeof part === 'string') size += bytes(part);
      else for (const piece of part) size += bytes(piece);
    }
    const out = new Utf8Writer(size);
    out.write(head);
    parts.forEach((part, i) => {
      if (i > 0) out.write(',');
      if (typeof part === 'string') out.write(part);
      else for (const piece of part) out.write(piece);
    });
    out.write(tail);
    return out.bytes();
  }

  /**
   * Its own ArrayBuffer (not Buffer's shared pool), so it can be transferred; not zero-filled, since
   * only the bytes written are ever read.
   */
  private static allocate(size: number): Buffer {
    return Buffer.allocUnsafeSlow(size);
  }

  private reserve(extra: number): void {
    if (this.size + extra <= this.buf.length) return;
    const next = Utf8Writer.allocate(Math.max(this.buf.length * 2, this.size + extra));
    this.buf.copy(next, 0, 0, this.size);
    this.buf = next;
  }
}
