#!/usr/bin/env node
// End-to-end checks of the Selfpage site in headless Chromium (playwright-core).
//
//   node tests/e2e/run.mjs URL [FILTER]
//
// Runs every checks/*.mjs (in file-name order) whose file name or `name` contains FILTER.
// `cargo xtask e2e` / `cargo xtask test` build the site, serve it and call this script.
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR (default
// target/screenshots), E2E_TIMEOUT_MS per check (default 30000).
//
// A check is a module:
//   export const name = 'what a user would notice';        // optional, defaults to file name
//   export const allowErrors = false;                        // optional: tolerate console errors
//   export default async function (t) { ... }                // throw (or t.assert) to fail
// where t = { page, url, open, app, screenshot, assert, errors }:
//   await t.open('/?x=1')   goto a path relative to URL and wait for the app to be ready
//   t.app                   selector of the mounted app: '#selfpage[data-ready="true"]'
//   await t.screenshot('x') save SCREENSHOT_DIR/x.png (1440x900)
//   t.assert                node:assert/strict
//   t.errors                console errors, page errors, CSP violations and failed requests so far

import assert from 'node:assert/strict';
import { readdir, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { inspect } from 'node:util';
import { chromium } from 'playwright-core';
import { APP, CHROMIUM_ARGS, VIEWPORT, executablePath } from './chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [url, filter] = process.argv.slice(2);
if (!url || !/^https?:\/\//.test(url)) {
  console.error('usage: node tests/e2e/run.mjs http://127.0.0.1:PORT/ [FILTER]');
  process.exit(2);
}
const screenshotDir = path.resolve(process.env.SCREENSHOT_DIR || path.join(here, '../../target/screenshots'));
const timeoutMs = Number(process.env.E2E_TIMEOUT_MS || 30000);

/** Loads checks/*.mjs, sorted by file name, keeping those matching FILTER. */
async function loadChecks() {
  const dir = path.join(here, 'checks');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.mjs')).sort();
  const checks = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(path.join(dir, file)).href);
    if (typeof mod.default !== 'function') {
      throw new Error(`checks/${file} has no default export function`);
    }
    const name = mod.name || file.replace(/\.mjs$/, '');
    if (filter && !file.includes(filter) && !name.includes(filter)) continue;
    checks.push({ file, name, run: mod.default, allowErrors: Boolean(mod.allowErrors) });
  }
  return checks;
}

/** A file-name-safe form of a check's file name. */
function slug(file) {
  return file.replace(/\.mjs$/, '').replace(/[^a-zA-Z0-9_-]+/g, '-');
}

/** Runs one check in a fresh browser context; resolves to an error message or null. */
async function runCheck(browser, check) {
  // A screenshot of an earlier failure would mislead.
  await rm(path.join(screenshotDir, `FAILED-${slug(check.file)}.png`), { force: true });
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  // CSP violations also reach the console, but this catches them with their directive.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  page.setDefaultTimeout(Math.min(timeoutMs, 15000));

  const t = {
    page,
    url,
    app: APP,
    assert,
    errors,
    async open(where = '/', { waitForApp = true } = {}) {
      await page.goto(new URL(where, url).href, { waitUntil: 'load' });
      if (waitForApp) {
        try {
          // main.js marks #loading with .error when the wasm cannot start: stop waiting then.
          await page.waitForSelector(`${APP}, #loading.error`, { timeout: 10000 });
          if ((await page.locator(APP).count()) === 0) throw new Error('the app failed to start');
        } catch {
          const text = (await page.locator('body').innerText().catch(() => '')).slice(0, 300);
          throw new Error(
            `the app did not mount (no ${APP})` +
              (text ? `; the page says: ${JSON.stringify(text)}` : '') +
              (errors.length ? `\n${[...new Set(errors)].join('\n')}` : ''),
          );
        }
      }
    },
    async screenshot(name) {
      const file = path.join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
  };

  let failure = null;
  let timer;
  try {
    await Promise.race([
      check.run(t),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    if (errors.length && !check.allowErrors) {
      failure = `errors on the page:\n      ${[...new Set(errors)].join('\n      ')}`;
    }
  } catch (e) {
    failure = String(e?.message || e)
      .split('\n')
      .filter((line) => line.trim())
      .join('\n      ');
    if (e instanceof assert.AssertionError && !e.generatedMessage) {
      // A custom message hides the values: show them.
      const show = (v) => inspect(v, { breakLength: Infinity }).slice(0, 300);
      failure += `\n      actual: ${show(e.actual)}\n      expected (${e.operator}): ${show(e.expected)}`;
    }
  } finally {
    clearTimeout(timer);
  }
  if (failure) {
    const shot = path.join(screenshotDir, `FAILED-${slug(check.file)}.png`);
    await page.screenshot({ path: shot }).then(
      () => (failure += `\n      screenshot: ${shot}`),
      () => {},
    );
  }
  await context.close();
  return failure;
}

async function main() {
  await mkdir(screenshotDir, { recursive: true });
  const checks = await loadChecks();
  if (checks.length === 0) {
    console.error(`no e2e check matches ${JSON.stringify(filter)}`);
    process.exit(1);
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  let failed = 0;
  try {
    for (const check of checks) {
      const start = Date.now();
      const failure = await runCheck(browser, check);
      const ms = Date.now() - start;
      if (failure) {
        failed += 1;
        console.log(`FAIL  ${check.name} [${check.file}] (${ms} ms)\n      ${failure}`);
      } else {
        console.log(`PASS  ${check.name} [${check.file}] (${ms} ms)`);
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`e2e: ${checks.length - failed} passed, ${failed} failed; screenshots in ${screenshotDir}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`e2e harness error: ${e?.stack || e}`);
  process.exit(1);
});
