// What run.mjs and bench.mjs share about the browser: which Chromium, how it is started,
// the window size, and the selector of the mounted app.

/** The Chromium binary: CHROMIUM_PATH, else /usr/bin/chromium. */
export const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The selector that matches once the app has mounted. */
export const APP = '#selfpage[data-ready="true"]';

/** The window size of every page (and of screenshots). */
export const VIEWPORT = { width: 1440, height: 900 };

/** Chromium here has no network: these flags keep it from stalling on refused connections. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
