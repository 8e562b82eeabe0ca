import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, installed by .ci/run; nothing here downloads a browser. The flags keep it
 * off the network (this machine has none) and quiet.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
