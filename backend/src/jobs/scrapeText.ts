/**
 * The jobs' /metrics text as UTF-8, written into slabs that the next scrape writes over.
 *
 * Why reused: at 50,000 series a scrape's 52 MB of new buffers (210 MB at 200,000) started a full
 * collection of the whole heap on every scrape (`node --trace-gc`: a 0.7–0.9 s pause at a 1 GiB
 * heap, then a 0.2 s scavenge), whether the text was strings or fresh buffers. Written over, the same
 * slabs add no memory a collection must account for, and a scrape's own garbage dies young.
 *
 * Hand-written: Node's Buffer.write is the primitive, and what is left is lending slabs to a scrape
 * and taking them back once its caller has written the text (`Scrape.written`).
 */

/** A piece of a scrape's text: a string, or UTF-8 bytes (api/metrics.ts writeMetrics takes either). */
export type TextChunk = string | Uint8Array;

/** Bytes a slab holds: a few dozen chunks. */
const SLAB_BYTES = 1024 * 1024;
/**
 * Share of a slab a scrape fills: SlabWriter starts the next slab when a chunk's worst case (3 bytes a
 * character) no longer fits, and the metrics' chunks are ~32 KiB, so about a tenth of each is left.
 */
const SLAB_FILL = 0.9;
/** Free slabs the pool keeps at most (512 MiB): two overlapping scrapes of 200,000 series fit. */
const MAX_FREE_SLABS = 512;

/**
 * One scrape (one writeMetrics call): what its metrics lent is given back by `written()`, which its
 * caller calls once the text is written out (after that the bytes may change). Never called (a
 * test, a client gone): the slabs are garbage like any buffer, and the pool allocates new ones.
 */
export class Scrape {
  private readonly releases: (() => void)[] = [];

  onWritten(release: () => void): void {
    this.releases.push(release);
  }

  written(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

/**
 * The free slabs of one registry's scrapes. A pool that runs dry allocates twice as many slabs as last
 * time, in one buffer: V8 counts new buffer memory toward its next full collection, and a first scrape
 * of 200,000 series (210 MB) allocating a slab at a time paid several full collections of a 3 GiB heap.
 */
export class SlabPool {
  private readonly free: Buffer[] = [];
  private grow = 1;
  private allocated = 0;

  /** Slab memory allocated so far (a scrape after ScrapeAhead.prepare() allocates none). */
  get allocatedBytes(): number {
    return this.allocated;
  }

  take(): Buffer {
    if (this.free.length === 0) {
      this.allocate(this.grow);
      this.grow = Math.min(2 * this.grow, MAX_FREE_SLABS / 2);
    }
    return this.free.pop()!;
  }

  give(slabs: readonly Buffer[]): void {
    for (const slab of slabs) if (this.free.length < MAX_FREE_SLABS) this.free.push(slab);
  }

  /**
   * Slabs for `bytes` of text (up to the pool's limit), the missing ones allocated now in one buffer:
   * ScrapeAhead sizes the pool between ticks so that the first scrape after a start takes its slabs as
   * later ones do. Counted are all the slabs the pool allocated, lent ones too: a scrape still being
   * written to a slow client does not make it allocate a second set. Returns the slabs it added
   * (untouched: address space, not yet memory).
   */
  reserve(bytes: number): Buffer[] {
    const wanted = Math.min(Math.ceil(bytes / (SLAB_FILL * SLAB_BYTES)), MAX_FREE_SLABS);
    const missing = wanted - this.allocated / SLAB_BYTES;
    return missing > 0 ? this.allocate(missing) : [];
  }

  private allocate(slabs: number): Buffer[] {
    const block = Buffer.allocUnsafeSlow(slabs * SLAB_BYTES);
    // Taken from the end: the lowest addresses first, so the pages a scrape touches are contiguous.
    const added: Buffer[] = [];
    for (let at = block.length - SLAB_BYTES; at >= 0; at -= SLAB_BYTES) {
      added.push(block.subarray(at, at + SLAB_BYTES));
    }
    this.free.push(...added);
    this.allocated += block.length;
    return added;
  }
}

/** One walk's text: chunks encoded into slabs lent by the pool until the scrape is written. */
export class SlabWriter {
  private slab: Buffer | null = null;
  private used = 0;
  private readonly lent: Buffer[] = [];

  constructor(
    private readonly pool: SlabPool,
    scrape: Scrape,
  ) {
    scrape.onWritten(() => this.pool.give(this.lent.splice(0)));
  }

  /** `text` as UTF-8: a view of a slab, valid until the scrape is written. */
  encode(text: string): Uint8Array {
    // A UTF-16 code unit is at most 3 bytes of UTF-8: with that much room the write is never cut short.
    const room = 3 * text.length;
    if (this.slab === null || this.slab.length - this.used < room) {
      this.slab = room > SLAB_BYTES ? Buffer.allocUnsafeSlow(room) : this.pool.take();
      this.lent.push(this.slab);
      this.used = 0;
    }
    const start = this.used;
    this.used += this.slab.write(text, start, 'utf8');
    return this.slab.subarray(start, this.used);
  }
}
