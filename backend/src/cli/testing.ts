/** Running the CLI in-process with captured output (for tests and scripts). */
import type { CliIO } from './io.js';
import { main } from './main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
  };
  const code = await main(['node', 'trafficlens', ...args], io);
  return { code, stdout, stderr };
}
