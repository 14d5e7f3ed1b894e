#!/usr/bin/env node
// Thin launcher so `npx trafficlens` works from the repository root after `npm ci`
// (the root "prepare" script compiles backend/src to backend/dist).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`trafficlens: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
