// The Yew app loads under the strict CSP and marks itself ready.
export const name = 'app mounts under the CSP (#selfpage[data-ready=true])';

export default async function ({ open, page, app, assert, screenshot }) {
  await open('/');
  assert.match(await page.title(), /Selfpage/);
  assert.equal(await page.locator(app).count(), 1, 'exactly one mounted app');
  assert.equal(await page.locator('#loading').count(), 0, 'the loading note is gone');
  await screenshot('home');
}
