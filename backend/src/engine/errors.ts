/** Errors that carry the stage they come from, so the API and CLI can say what went wrong where. */
export type EngineStage = 'input' | 'cleaning' | 'detection' | 'calibration';

export class EngineError extends Error {
  constructor(
    readonly stage: EngineStage,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
