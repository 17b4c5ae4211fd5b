// Statistics and policy comparison: load a preset, run it to the end, read the task's fault
// count in the statistics; compare policies; the reference-string widget's textbook numbers.
export const name = 'statistics, policy comparison and reference string';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  const text = (sel) => page.locator(sel).innerText();

  await page.selectOption('select[aria-label="Built-in scenario"]', 'cyclic-scan-lru');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Cyclic scan under LRU'));
  await page.selectOption('select[aria-label="Speed"]', { label: 'as fast as possible' });
  await page.click('#btn-run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('all tasks finished'), null, { timeout: 20000 });

  // The statistics agree with the tasks table and the fault timeline.
  const faults = Number(await text('#stats-faults-1'));
  assert.ok(faults > 0, 'the scanner faulted');
  assert.equal(await text('#task-1 .faults'), String(faults), 'statistics and tasks table agree');
  assert.equal(await text('#fault-count'), `${faults} faults`, 'statistics and timeline agree');
  await page.locator('#stats').scrollIntoViewIfNeeded();
  await t.screenshot('20-stats-after-run');

  // Compare policies: every live policy runs to the end; MRU beats LRU on this scan.
  await page.click('#btn-compare');
  await page.waitForFunction(() => !document.querySelector('#compare-progress') &&
    document.querySelectorAll('#compare-table tr').length === 7, null, { timeout: 25000 });
  const row = async (p) => (await text(`#compare-${p}`)).split('\t');
  const lru = Number((await row('lru'))[1]);
  const mru = Number((await row('mru'))[1]);
  assert.equal(lru, faults, 'the LRU run faults exactly as the live run did');
  assert.ok(mru < lru, `MRU (${mru}) faults less than LRU (${lru}) on a cyclic scan`);
  await page.locator('#compare').scrollIntoViewIfNeeded();
  await t.screenshot('21-policy-comparison');

  // The reference string: the textbook numbers with 3 frames.
  const misses = async (p) => Number(await text(`#refs-${p} .misses`));
  assert.equal(await misses('fifo'), 15);
  assert.equal(await misses('lru'), 12);
  assert.equal(await misses('opt'), 9);
  await page.fill('#refs-input', '1 2 x');
  assert.match(await text('#refs-error'), /reference 3 is 'x'/);
  await page.fill('#refs-input', '1,2,3,4,1,2,5,1,2,3,4,5');
  assert.equal(await misses('fifo'), 9, "Belady's anomaly string, 3 frames");
  await page.fill('#refs-frames', '4');
  assert.equal(await misses('fifo'), 10, "Belady's anomaly: 4 frames fault more");
  await page.locator('#refstring').scrollIntoViewIfNeeded();
  await t.screenshot('22-reference-string');
}
