/** Options shared by several commands, validated by commander so errors read the same everywhere. */
import { InvalidArgumentError, Option } from 'commander';
import { DETECTOR_NAMES } from '../contract/score.js';
import { DEFAULT_SENSITIVITY, parseSensitivity as checkSensitivity } from '../contract/sensitivity.js';
import { SENSITIVITY_SCALE } from '../contract/sensitivityScale.js';
import { timeZoneProblem } from '../contract/timezone.js';

export function parseSensitivity(text: string): number {
  try {
    // An empty argument is not 0 (what Number('') gives): NaN, which the contract refuses.
    return checkSensitivity(text.trim() === '' ? NaN : Number(text));
  } catch {
    throw new InvalidArgumentError(
      `sensitivity must be a number from ${SENSITIVITY_SCALE.min} to ${SENSITIVITY_SCALE.max}.`,
    );
  }
}

/** An IANA time zone (ScoreOptions.timezone), refused as the API refuses it. */
export function parseTimeZone(text: string): string {
  const zone = text.trim();
  const problem = timeZoneProblem(zone);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return zone;
}

export const timezoneOption = () =>
  new Option(
    '--timezone <zone>',
    "the IANA time zone whose local clock the series' traffic keeps (its daily pattern then moves with the zone's daylight-saving changes)",
  ).argParser(parseTimeZone);

export const detectorOption = () =>
  new Option('-d, --detector <name>', 'detector').choices(DETECTOR_NAMES).default('auto');

export const sensitivityOption = () =>
  new Option('-s, --sensitivity <0-100>', '0 flags only extreme deviations, 100 small ones')
    .argParser(parseSensitivity)
    .default(DEFAULT_SENSITIVITY);
