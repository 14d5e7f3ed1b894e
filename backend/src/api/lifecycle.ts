/** Process-level state the health routes report; main.ts flips it when a shutdown signal arrives. */
export class Lifecycle {
  readonly startedAt: number;
  readonly #now: () => number;
  #shuttingDown = false;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.startedAt = now();
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  uptimeSeconds(): number {
    return (this.#now() - this.startedAt) / 1000;
  }
}
