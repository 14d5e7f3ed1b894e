/** Where commands write: the process streams, or buffers in tests. */
export interface CliOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: CliOutput;
  stderr: CliOutput;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr };
}
