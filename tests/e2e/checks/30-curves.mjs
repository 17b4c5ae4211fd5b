// Miss-ratio curves: run the column walk to the end, draw its curves (progress, then the
// chart with a legend, knees and a hover readout), switch to log axes, read the working set.
export const name = 'miss-ratio curves and the working set';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  const text = (sel) => page.locator(sel).innerText();

  await page.selectOption('select[aria-label="Built-in scenario"]', 'matrix-cols-tight');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Matrix walk by columns'));
  await page.selectOption('select[aria-label="Speed"]', { label: 'as fast as possible' });
  await page.click('#btn-run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('all tasks finished'), null, { timeout: 20000 });

  await page.locator('#curves').scrollIntoViewIfNeeded();
  await page.click('#btn-curves');
  await page.waitForSelector('#curves-legend', { timeout: 25000 });
  assert.match(await text('#curves .curves-head'), /8193 page references to 17 pages · its pager holds 12 frames/);
  const legend = await text('#curves-legend');
  for (const p of ['fifo', 'clock', 'lru', 'mru', 'random', 'opt']) assert.ok(legend.includes(p), `${p} in the legend`);
  assert.match(legend, /lru\s+knee at 2/);

  // Hover at the right end of the chart: 17 frames, only first touches fault.
  const box = await page.locator('#curves-canvas').boundingBox();
  await page.mouse.move(box.x + box.width - 12, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('#curves-readout')?.textContent.startsWith('17 frames'));
  assert.match(await text('#curves-readout'), /^17 frames: fifo 17 · clock 17 · lru 17 · mru 17 · random 17 · opt 17$/);
  await page.mouse.move(box.x + box.width * 0.69, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('#curves-readout')?.textContent.includes(' lru 4097'));
  await t.screenshot('30-curves');

  await page.check('#curves-log-y');
  await page.selectOption('#curves-tau', '100');
  await page.locator('#curves-ws').scrollIntoViewIfNeeded();
  await t.screenshot('31-curves-log-working-set');
  // A typed reference string: FIFO's anomaly is pointed out; a bad string is refused.
  await page.fill('#curves-refs', '1,2,3,4,1,2,5,1,2,3,4,x');
  await page.click('#btn-curves-refs');
  assert.match(await text('#curves-refs-error'), /reference 12 is "x"/);
  await page.fill('#curves-refs', '1,2,3,4,1,2,5,1,2,3,4,5');
  await page.click('#btn-curves-refs');
  await page.waitForSelector('#curves-belady');
  assert.match(await text('#curves-belady'), /fifo faults more with 4 frames \(10\) than with 3 \(9\)/);
  assert.doesNotMatch(await text('#curves-belady'), /lru faults more/);
  await page.locator('#curves').scrollIntoViewIfNeeded();
  await t.screenshot('32-curves-belady');
  assert.equal(t.errors.length, 0, t.errors.join('\n'));
}
