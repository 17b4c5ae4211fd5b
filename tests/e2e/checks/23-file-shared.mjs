// A file paged at user level, as a student sees it: the file-shared preset's writer faults on
// a page of /data/table, the fault goes thread → pager → file server → ramdisk → map, the
// frame is the file server's page cache, the walk names the file and offset, and at the end
// the reader has seen what the writer wrote through the same frame.
export const name = 'files: file-shared preset, file server and ramdisk, page cache, walk';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  const text = (sel) => page.locator(sel).innerText();
  await page.selectOption('select[aria-label="Built-in scenario"]', 'file-shared');
  await page.waitForFunction(() => document.querySelector('#tasks')?.textContent.includes('reader'));

  // The two servers are rows of the tasks pane, beside the tasks.
  const fsRow = page.locator('#server-file-server');
  const diskRow = page.locator('#server-ramdisk');
  assert.match(await fsRow.innerText(), /file server/);
  assert.match(await fsRow.innerText(), /4 \+ 4/, 'the file server is configured like a task: 4 guaranteed + 4 extra');
  assert.match(await fsRow.innerText(), /0 hits, 0 misses/);
  assert.match(await diskRow.innerText(), /ramdisk/);
  assert.match(await diskRow.innerText(), /64 blocks: 0 read, 0 written/);

  // Fault 1 is the writer's data page; fault 2 its first write to the mapped file.
  await page.click('#btn-fault');
  await page.waitForFunction(() => document.querySelector('#fault-count')?.textContent === '1 faults');
  await page.click('#btn-fault');
  await page.waitForFunction(() => document.querySelector('#fault-count')?.textContent === '2 faults');
  assert.match(await text('#timeline'), /#PF write 0x00004000/, 'the write to the mapping faults');
  await page.click('#btn-ipc');
  await page.waitForFunction(() => document.querySelector('#timeline')?.textContent.includes('restarts the instruction'));

  // The sequence diagram has the file server's and the ramdisk's lanes, and says what each did.
  const lanes = await page.$$eval('#timeline svg .lane-name', (names) => names.map((n) => n.textContent));
  assert.deepEqual(lanes, ['thread', 'pager (libhurd-mm)', 'physmem', 'kernel', 'file server', 'ramdisk']);
  const served = await text('#timeline');
  assert.match(served, /asks for \/data\/table\+0x0 to write/, 'the pager asks the file server for the page');
  assert.match(served, /not cached; reading it into the frame/, 'a cache miss');
  assert.match(served, /ramdisk: block 0 read into the frame at 0x0/, 'the ramdisk reads the block');
  assert.match(served, /maps \/data\/table\+0x0 at 0x4000: cached frame, writable/, 'the pager maps the cached frame');
  const frame = Number(served.match(/PTE 0x00004000 → frame (\d+)/)?.[1]);
  assert.ok(frame > 0, `the kernel writes the PTE: ${served}`);
  await page.locator('#timeline').scrollIntoViewIfNeeded();
  await t.screenshot('23-file-fault-served');

  // The walk of the faulting address names the file and the offset the page maps.
  assert.match(await text('#walk-verdict'), /succeed/);
  assert.match(await text('#walk-file'), /^maps \/data\/table \+ 0x0 \(shared mapping: the file server's cached frame\)$/);

  // The frame map tells the page cache apart: its legend, and the frame's own description.
  const legend = await text('#frames .legend');
  for (const item of ['file page cache', 'shared / COW', 'private copy of a file page']) {
    assert.ok(legend.includes(item), `legend has "${item}": ${legend}`);
  }
  await page.locator('#frames').scrollIntoViewIfNeeded();
  await page.focus('canvas.frame-map');
  await page.keyboard.press('Home');
  for (let i = 0; i < frame; i++) await page.keyboard.press('ArrowRight');
  const detail = await text('#frame-detail');
  assert.match(detail, new RegExp(`^frame ${frame} `), detail);
  assert.match(detail, /file server's page cache, mapped by a task/, detail);
  await t.screenshot('23-file-frame-map');

  // Run to the end: the reader saw the writer's bytes in the same cached frame, the dirty
  // page reached the disk, and the servers' statistics say so.
  await page.click('#btn-run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('all tasks finished'));
  assert.match(await text('#task-2'), /exited 0/, 'the reader found the writer\'s "H" and exited 0');
  assert.match(await text('#events'), /task 2 prints "?HELLO/, 'the reader printed what the writer wrote');
  assert.match(await fsRow.innerText(), /1 hits, 2 misses, 2 written back, 0 dirty/);
  assert.match(await diskRow.innerText(), /2 read, 2 written/);
  await t.screenshot('23-file-finished');
}
