/**
 * IANA time zones (`Europe/Berlin`) as the score options, jobs, the CLI and the datasource name them:
 * whether a name is one, and what to say when it is not. Node's and the browser's own ICU data know them
 * (no dependency): Intl.DateTimeFormat refuses any other name with a RangeError. Import-free, so the
 * datasource gets a copy (plugin/datasource/scripts/contract-modules.mjs).
 */

/** How a time zone is described to whoever gave another name. */
export const TIME_ZONE_EXAMPLE = 'an IANA time zone such as Europe/Berlin or America/New_York';

/** Whether `name` is a time zone Intl knows (an IANA name, or UTC). */
export function isTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Why `name` is not a time zone (`"CEST" is not an IANA time zone such as …`), or undefined. */
export function timeZoneProblem(name: string): string | undefined {
  return isTimeZone(name) ? undefined : `"${name}" is not ${TIME_ZONE_EXAMPLE}`;
}
