/**
 * Strings written one after another into one UTF-8 buffer. A scoring worker's answer is one JSON
 * text per series; joining them into one string first made V8 flatten a multi-megabyte string that
 * TextEncoder then copied again. Hand-written because TextEncoder.encodeInto is already the primitive:
 * what is left is growing the buffer.
 */
export class Utf8Writer {
  private buf: Uint8Array;
  private size = 0;
  private readonly encoder = new TextEncoder();

  constructor(capacity = 64 * 1024) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  get byteLength(): number {
    return this.size;
  }

  write(text: string): void {
    // Room for the ASCII case (one byte per UTF-16 unit), the usual one for JSON; more when not.
    this.reserve(text.length);
    let rest = text;
    for (;;) {
      const { read, written } = this.encoder.encodeInto(rest, this.buf.subarray(this.size));
      this.size += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      this.reserve(rest.length * 3); // a UTF-16 unit is at most 3 UTF-8 bytes
    }
  }

  /** The bytes written, a view of the writer's buffer (whose ArrayBuffer can then be transferred). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.size);
  }

  /** `head`, the parts separated by commas, then `tail`, sized for ASCII first. */
  static join(head: string, parts: readonly string[], tail: string): Uint8Array {
    const out = new Utf8Writer(parts.reduce((n, p) => n + p.length + 1, head.length + tail.length));
    out.write(head);
    parts.forEach((part, i) => {
      if (i > 0) out.write(',');
      out.write(part);
    });
    out.write(tail);
    return out.bytes();
  }

  private reserve(extra: number): void {
    if (this.size + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.size + extra));
    next.set(this.buf.subarray(0, this.size));
    this.buf = next;
  }
}
