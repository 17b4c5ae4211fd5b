// A shared link reproduces the run; a broken link is refused with the reason.
export const name = 'shared URL reproduces the scenario; a bad one is refused';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  await page.selectOption('select[aria-label="Built-in scenario"]', 'cyclic-scan-mru');
  await page.waitForFunction(() => location.hash.startsWith('#scenario='));
  const link = await page.evaluate(() => location.href);
  await page.click('#btn-run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('all tasks finished'));
  const faults = await page.locator('#task-1 .faults').innerText();

  // A fresh load of the link (not a same-document hash change).
  await page.goto('about:blank');
  await t.open(link.replace(/^https?:\/\/[^/]+/, ''));
  assert.match(await page.locator('#editor h2').innerText(), /scanner/i, 'the link loads the shared scenario');
  await page.click('#btn-run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('all tasks finished'));
  assert.equal(await page.locator('#task-1 .faults').innerText(), faults, 'same scenario, same faults');

  await page.goto('about:blank');
  await t.open('/#scenario=%7B%22ram_frames%22%3A3%7D');
  assert.match(await page.locator('#error').innerText(), /refused.*ram_frames/s, 'a bad link says why');
  await t.screenshot('05-bad-link');
}
