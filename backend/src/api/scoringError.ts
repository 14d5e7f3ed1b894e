/** Why a scoring request failed in the executor (its own module: the API's error mapping and the executor both need it). */
/** `input`: the engine refused the series as given (a client error); `engine`: it failed on it. */
export type ScoringErrorKind = 'input' | 'engine' | 'worker' | 'overloaded' | 'aborted' | 'timeout';

export class ScoringError extends Error {
  /** The request's detector, for the metrics, when the executor knows it (not before parsing). */
  detector?: string;

  constructor(
    readonly kind: ScoringErrorKind,
    message: string,
    readonly seriesIndex?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ScoringError';
  }
}
