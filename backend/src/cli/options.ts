/** Options shared by several commands, validated by commander so errors read the same everywhere. */
import { InvalidArgumentError, Option } from 'commander';
import { DETECTOR_NAMES } from '../contract/score.js';

export function parseSensitivity(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new InvalidArgumentError('sensitivity must be a number from 0 to 100.');
  }
  return n;
}

export const detectorOption = () =>
  new Option('-d, --detector <name>', 'detector').choices(DETECTOR_NAMES).default('auto');

export const sensitivityOption = () =>
  new Option('-s, --sensitivity <0-100>', '0 flags only extreme deviations, 100 small ones')
    .argParser(parseSensitivity)
    .default(50);
