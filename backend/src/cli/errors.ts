/**
 * Errors the CLI reports as a one-line message (no stack trace): bad input files, bad option values,
 * missing data. Exit codes: 1 for input and runtime problems, 2 for command-line usage errors.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
