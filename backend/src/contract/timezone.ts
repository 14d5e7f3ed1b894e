/**
 * IANA time zones (`Europe/Berlin`) as the score options and jobs name them: whether a name is one. Node's
 * own ICU data knows them (no dependency): Intl.DateTimeFormat refuses any other name with a RangeError.
 */

/** Whether `name` is a time zone Intl knows (an IANA name, or UTC). */
export function isTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
