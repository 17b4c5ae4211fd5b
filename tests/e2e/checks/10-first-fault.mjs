// The life of one page fault, in the browser: the fault, its service, the frame and the PTE.
export const name = 'first fault: #PF, pager, physmem, PTE, restart';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  await t.screenshot('01-loaded');
  const text = (sel) => page.locator(sel).innerText();
  assert.equal(await text('#fault-count'), '0 faults');
  const usedBefore = await text('#frames-used');

  await page.click('#btn-fault');
  await page.waitForFunction(() => document.querySelector('#fault-count')?.textContent === '1 faults');
  const timeline = await text('#timeline');
  assert.match(timeline, /#PF read 0x00401000 at eip 0x00400000/, 'the fault: address, access, instruction');
  assert.match(timeline, /0xffe4/, 'the fault IPC carries the L4 label 0xFFE4 (read)');
  assert.match(await text('#walk-verdict'), /not present/, 'before the pager runs, the PTE is not present');
  await t.screenshot('02-fault-raised');

  await page.click('#btn-ipc');
  await page.waitForFunction(() => document.querySelector('#timeline')?.textContent.includes('restarts the instruction'));
  const served = await text('#timeline');
  assert.match(served, /container_map/, 'the pager maps the page through physmem');
  assert.match(served, /PTE 0x00401000 → frame \d+/, 'the kernel writes the PTE');
  assert.match(await text('#walk-verdict'), /succeed/, 'the PTE is present now');
  assert.notEqual(await text('#walk-phys'), '—');
  assert.notEqual(await text('#frames-used'), usedBefore, 'the frame map shows the new frame');
  await t.screenshot('03-fault-served');

  await page.click('#btn-run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('all tasks finished'));
  assert.match(await text('#task-1'), /exited 42/, 'the workload read back 42 and exited with it');
  await t.screenshot('04-finished');
}
