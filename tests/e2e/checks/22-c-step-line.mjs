// A workload in C: the C pane shows the source with the current line, Step line (the n key)
// moves it to the next C line executed, the fault timeline and the exported trace name the
// C line of the faulting access, and a broken line gets its line:column without breaking
// the page.
import { readFile } from 'node:fs/promises';

export const name = 'C pane: Step line follows the C source, faults name their C line, compile errors';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  await page.selectOption('select[aria-label="Built-in scenario"]', { label: 'Cyclic scan under LRU, in C' });
  await page.waitForSelector('#c-source');
  const where = () => page.locator('#c-where').innerText();
  const current = async () => (await page.locator('#c-source .c-lines li.current').innerText()).replace(/\s+/g, ' ').trim();
  assert.equal(await where(), 'start-up code or library', 'before main, the CPU is in the start-up code');
  assert.equal(await page.locator('#c-source .c-lines li.current').count(), 0, 'no C line is current yet');

  // Each n runs to the next C line executed; the C pane, its badge and the editor agree.
  await page.evaluate(() => document.activeElement?.blur());
  const step = async (line, text) => {
    await page.keyboard.press('n');
    await page.waitForFunction((l) => document.querySelector('#c-where')?.textContent === `line ${l}`, line);
    const shown = await current();
    assert.ok(shown.startsWith(String(line)), `the C pane marks line ${line}: ${shown}`);
    assert.ok(shown.includes(text), `line ${line} reads "${text}": ${shown}`);
    assert.equal(await page.locator('#editor .gutter li.current').innerText(), String(line), 'the editor marks the same line');
  };
  await step(14, 'int main(void) {');
  await step(15, 'char *buffer = mmap(0, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE, 0);');
  await step(16, 'for (int round = 0; round < ROUNDS; round++) {');
  await step(17, 'for (int page = 0; page < PAGES; page++) {');
  await step(18, 'int *word = (int *)(buffer + page * PAGE_SIZE);');
  await step(19, '*word += 1;');
  // Line 19 touches the buffer's first page: it faults, and the next line run is the inner
  // loop's page++ on line 17.
  await step(17, 'for (int page = 0; page < PAGES; page++) {');
  assert.equal(await page.locator('#fault-count').innerText(), '2 faults');
  assert.match(await page.locator('#timeline .fault-strip').innerText(), /t1 read 0x00004000 at line 19/, 'the timeline names the C line of the fault');
  const shaded = await page.locator('#c-source .asm-lines li.of-line').count();
  assert.ok(shaded > 0, 'the assembly of the current C line is shaded');
  await t.screenshot('22-c-step-line');

  // The exported trace names the same line.
  const [trace] = await Promise.all([page.waitForEvent('download'), page.click('#btn-export')]);
  const faults = (await readFile(await trace.path(), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).event)
    .filter((e) => e.kind === 'fault');
  assert.deepEqual(faults.map((f) => f.c_line ?? null), [null, 19], 'the stack fault is in the start-up code; the buffer fault on line 19');

  // A broken line: the error names line and column, the editor marks them, the page stays usable.
  const area = page.locator('#editor textarea');
  const good = await area.inputValue();
  await area.fill(good.replace('*word += 1;', '*wrd += 1;'));
  await page.click('#btn-apply');
  await page.waitForSelector('#asm-error');
  assert.equal(await page.locator('#asm-error').innerText(), "line 19, column 14: 'wrd' undeclared");
  assert.match(await page.locator('#error').innerText(), /task 'scanner': line 19, column 14: 'wrd' undeclared/);
  assert.equal(await page.locator('#editor .gutter li.err').innerText(), '19');
  assert.equal(await page.locator('#asm-error-mark').innerText(), 'w', 'the marker sits under the undeclared name');
  assert.equal(await page.locator('#c-source').count(), 0, 'nothing runs, so no C pane');
  assert.equal(await page.locator('#walk .muted').innerText(), 'no scenario is loaded');
  await t.screenshot('22-c-compile-error');

  // Fixed, it compiles and steps again.
  await area.fill(good);
  await page.click('#btn-apply');
  await page.waitForSelector('#asm-error', { state: 'detached' });
  await page.waitForSelector('#c-source');
  await page.evaluate(() => document.activeElement?.blur());
  await step(14, 'int main(void) {');
}
