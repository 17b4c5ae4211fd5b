// Keyboard only: Tab reaches the trace, the arrow keys move to an older fault, Enter shows
// it in the timeline, the page-table walk and the trace itself; g rewinds the machine to it.
export const name = 'keyboard: Tab to a trace record, Enter jumps the views to it';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  await page.selectOption('select[aria-label="Built-in scenario"]', { label: 'Sequential scan (read once)' });
  await page.evaluate(() => document.activeElement?.blur());
  for (const n of [1, 2, 3]) {
    await page.keyboard.press('f');
    await page.waitForFunction((n) => document.querySelector('#fault-count')?.textContent === `${n} faults`, n);
  }
  const walkAddr = () => page.locator('#walk input').inputValue();
  const latest = await walkAddr();

  // Tab from the top of the page until a trace record has the focus.
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return el?.matches('#events [role=option]')
        ? { seq: el.dataset.seq, fault: el.classList.contains('ev-fault'), text: el.textContent }
        : null;
    });
  let row = null;
  for (let i = 0; i < 300 && !row; i++) {
    await page.keyboard.press('Tab');
    row = await focused();
  }
  assert.ok(row, 'Tab reaches the trace');
  const newest = await page.locator('#events [role=option]').first().getAttribute('data-seq');
  assert.equal(row.seq, newest, 'the first Tab stop in the trace is the newest record');

  // End goes to the oldest record shown; Up climbs to the first fault.
  await page.keyboard.press('End');
  for (let i = 0; i < 200 && !(row = await focused()).fault; i++) await page.keyboard.press('ArrowUp');
  assert.ok(row.fault, `the arrow keys reach a fault record: ${row.text}`);
  const addr = row.text.match(/of (0x[0-9a-f]{8})/)[1];
  assert.notEqual(addr, latest, 'the first fault is not at the latest fault address');

  await page.keyboard.press('Enter');
  const selected = `#events [role=option][data-seq="${row.seq}"]`;
  await page.waitForSelector(`${selected}[aria-selected="true"]`);
  assert.equal(await walkAddr(), addr, 'the page-table walk jumped to the fault address');
  const chip = await page.locator('#timeline .fault-strip [aria-pressed="true"]').innerText();
  assert.match(chip, new RegExp(addr), 'the timeline shows that fault');
  assert.match(await page.locator('#timeline svg').textContent(), new RegExp(`#PF \\w+ ${addr}`));
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.seq), row.seq, 'the focus stays on the record');
  await t.screenshot('12-keyboard-trace');

  // g rewinds the machine itself to that record (the end of the kernel step that wrote it):
  // the later records are gone, one fault so far, the record still selected.
  await page.keyboard.press('g');
  await page.waitForFunction((seq) => document.querySelector('#status')?.textContent.includes(`back at event #${seq}`), row.seq);
  const newestNow = await page.locator('#events [role=option]').first().getAttribute('data-seq');
  assert.ok(Number(newestNow) < Number(newest), `the trace ends earlier: #${newestNow}`);
  assert.equal(await page.locator('#fault-count').innerText(), '1 faults');
  assert.equal(await page.locator(selected).getAttribute('aria-selected'), 'true');
  assert.equal(await walkAddr(), addr);
}
