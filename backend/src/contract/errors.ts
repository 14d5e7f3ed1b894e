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

/** Where in the request's life the error happened; logged with every error. */
export type ErrorStage =
  'auth' | 'parse' | 'limits' | 'validation' | 'routing' | 'scoring' | 'overload' | 'upstream' | 'internal';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly stage: ErrorStage,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}
