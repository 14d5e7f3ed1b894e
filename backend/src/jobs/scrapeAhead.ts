/**
 * The part of a /metrics scrape that does not depend on the newest points, done between ticks: the
 * label text of series that have none yet (jobs/seriesLabelText.ts) and the slabs the text is written
 * into (jobs/scrapeText.ts). JobManager asks for it after every run.
 *
 * Why: a scrape renders a series' labels once and reuses its slabs after that, so only the first
 * scrape after a start paid for them: 200,000 series' label sets rendered and promoted, and 210 MB of
 * slabs allocated, in the scrape (15.2 s, later scrapes 3.0–3.8 s, `bench --scale 200000`). The slabs
 * are written to once here too: the kernel maps a page at its first write, and 190 MB of first writes
 * took 0.7 s on this machine's VM.
 *
 * Done in slices of SLICE_MS, one per macrotask, so that requests (a scrape, the score API) are served
 * between them. A scrape that comes before a pass has finished renders what is still missing itself:
 * the same bytes, as before.
 */
import type { Labels } from '../sources/source.js';
import type { SlabPool } from './scrapeText.js';
import type { ExportingJob, SeriesLabels, SeriesLabelTexts } from './seriesLabelText.js';

/** A job whose series a scrape exports (ScoringJob). */
export interface AheadJob extends ExportingJob {
  eachSeriesLabels(): Iterable<Labels>;
}

export interface ScrapeAheadDeps {
  jobs: () => readonly AheadJob[];
  labels: SeriesLabelTexts;
  slabs: SlabPool;
  /** Bytes of text a series takes in a scrape, about (the slabs are sized by their sum). */
  scrapeBytes: (series: SeriesLabels) => number;
}

/** Longest a slice runs before it lets the event loop serve what waits (render: ~5–10 µs a series). */
const SLICE_MS = 10;
/** Series between two looks at the clock. */
const CHECK_EVERY = 256;

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ScrapeAhead {
  readonly labels: SeriesLabelTexts;
  readonly slabs: SlabPool;
  private current: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly deps: ScrapeAheadDeps) {
    this.labels = deps.labels;
    this.slabs = deps.slabs;
  }

  /**
   * Prepare the next scrape; resolves when done. Asked while a pass is on its way (another job's run
   * ended), one more pass follows it, for the series that pass may have gone by.
   */
  prepare(): Promise<void> {
    if (this.current === null) {
      const pass: Promise<void> = this.pass().finally(() => {
        if (this.current === pass) this.current = null;
      });
      return (this.current = pass);
    }
    this.queued ??= this.current.then(() => {
      this.queued = null;
      return this.prepare();
    });
    return this.queued;
  }

  /** Resolves once no pass is on its way or queued (tests, benches). */
  async idle(): Promise<void> {
    while (this.current !== null || this.queued !== null) await (this.queued ?? this.current);
  }

  private async pass(): Promise<void> {
    const { jobs, labels, slabs, scrapeBytes } = this.deps;
    let bytes = 0;
    let sliceStart = performance.now();
    let visited = 0;
    for (const job of jobs()) {
      // A live iterator over the job's series: one added between slices is visited, one dropped is not.
      for (const series of job.eachSeriesLabels()) {
        try {
          bytes += scrapeBytes(labels.of(job, series));
        } catch {
          // Left to the scrape, which leaves the series out and counts it (render_failed).
        }
        if (++visited % CHECK_EVERY === 0 && performance.now() - sliceStart >= SLICE_MS) {
          await nextMacrotask();
          sliceStart = performance.now();
        }
      }
    }
    let added: Buffer[] = [];
    try {
      added = slabs.reserve(bytes);
    } catch {
      // Out of memory for it now: the scrape allocates what it needs itself, as it did before.
    }
    for (const slab of added) {
      slab.fill(0);
      if (performance.now() - sliceStart >= SLICE_MS) {
        await nextMacrotask();
        sliceStart = performance.now();
      }
    }
  }
}
