// A challenge graded from the real run: the starting program misses the goal; a solution
// typed into the editor meets it; the result card compares with LRU and OPT; the URL shares it.
export const name = 'challenge: submit a solution and read the graded result';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  await page.evaluate(() => document.activeElement?.blur());
  await page.click('#btn-lessons');
  await page.click('#open-challenge-3');
  await page.waitForSelector('#challenge-3');
  await page.click('#challenge-submit');
  await page.waitForSelector('#challenge-result[data-met="false"]');
  assert.match(await page.locator('#challenge-result').innerText(), /did not exit 0/);

  // The solution: frames for every page, so nothing is evicted and no TLB entry goes stale.
  await page.fill('#set-guaranteed', '26');
  await page.dispatchEvent('#set-guaranteed', 'change');
  await page.click('#btn-apply');
  await page.click('#challenge-submit');
  await page.waitForSelector('#challenge-result[data-met="true"]');
  const card = await page.locator('#challenge-result').innerText();
  assert.match(card, /Goal met/);
  assert.match(card, /yours/);
  assert.match(page.url(), /\?challenge=3#scenario=/, 'the URL carries the challenge and the solution');
  await t.screenshot('34-challenge-result');

  // The shared link opens the challenge with the solution loaded (from a blank page: a link
  // differing only in its fragment would not reload).
  const shared = page.url();
  await page.goto('about:blank');
  await t.open(new URL(shared).pathname + new URL(shared).search + new URL(shared).hash);
  await page.waitForSelector('#challenge-3');
  await page.click('#challenge-submit');
  await page.waitForSelector('#challenge-result[data-met="true"]');
}
