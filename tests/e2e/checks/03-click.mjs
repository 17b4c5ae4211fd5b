// Clicking in the app keeps it alive: the first button responds without errors.
// (A template for specific checks: locate by role/text, click, then assert on the DOM.)
export const name = 'clicking the first button keeps the app running';

export default async function ({ open, page, app, assert, screenshot }) {
  await open('/');
  const button = page.locator(`${app} button:not([disabled])`).first();
  assert.ok((await button.count()) > 0, 'the app shows at least one enabled button');
  const label = (await button.innerText()).trim();
  await button.click();
  // Yew re-renders asynchronously: wait two animation frames before reading the DOM.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await page.locator(app).count(), 1, `the app is still mounted after clicking "${label}"`);
  await screenshot('after-click');
}
