/**
 * Debian's Chromium, driven by playwright-core, as every browser test and the render benchmark start it.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that work for a root user in a container (see ../shared/notes/grafana-plugins.md). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why Chromium cannot start here, or null when it is installed. */
export function chromiumMissing() {
  return existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`;
}

/** Headless Chromium; throws the reason when it is not installed. */
export function launchChromium() {
  const missing = chromiumMissing();
  if (missing) {
    throw new Error(missing);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}
