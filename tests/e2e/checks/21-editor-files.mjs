// The editor and the file menu: an assembler error marked at its line and column, task
// settings applied on "Assemble & load", tabs for several tasks, save/load/export/copy link.
import { readFile } from 'node:fs/promises';

export const name = 'editor errors, task settings, tabs, files';

const TWO_TASKS = `name = "Two scanners"
ram_frames = 64
seed = 3

[[task]]
name = "lru-scan"
preset = "cyclic-scan"
guaranteed = 8
policy = "lru"

[[task]]
name = "mru-scan"
preset = "cyclic-scan"
guaranteed = 8
policy = "mru"
`;

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  const text = (sel) => page.locator(sel).innerText();
  const area = page.locator('#editor textarea');

  // A typo on line 8, column 5: the message, the line and the column are shown.
  const good = await area.inputValue();
  const bad = good.replace('mov eax, [buffer]', 'mvo eax, [buffer]');
  await area.fill(bad);
  await page.click('#btn-apply');
  await page.waitForSelector('#asm-error');
  const err = await text('#asm-error');
  assert.match(err, /line 8, column 5/, `error position: ${err}`);
  assert.match(await text('#error'), /mvo/i, 'the banner names the bad word');
  assert.equal(await text('#asm-error-mark'), 'm', 'the marker sits under the first letter of mvo');
  assert.match(await text('#editor .gutter li.err'), /^8$/);
  await t.screenshot('23-editor-error');

  // The page is still usable: fix it and run.
  await area.fill(good);
  await page.click('#btn-apply');
  await page.waitForSelector('#asm-error', { state: 'detached' });
  await page.click('#btn-fault');
  await page.waitForFunction(() => document.querySelector('#fault-count')?.textContent === '1 faults');

  // Settings: change the policy, see the edited badge, apply.
  await page.selectOption('#set-policy', 'fifo');
  await page.waitForSelector('#edited');
  await page.click('#btn-apply');
  await page.waitForSelector('#edited', { state: 'detached' });
  assert.match(await text('#events'), /policy fifo/, 'the rebooted task uses FIFO');

  // Load a two-task scenario from a file: tabs appear.
  await page.setInputFiles('#file-input', { name: 'two.toml', mimeType: 'text/plain', buffer: Buffer.from(TWO_TASKS) });
  await page.waitForSelector('#tab-2');
  await page.click('#tab-2');
  assert.equal(await page.getAttribute('#tab-2', 'aria-selected'), 'true');
  assert.equal(await page.inputValue('#set-policy'), 'mru');
  await t.screenshot('24-two-tasks');

  // A bad file: the field and reason in the banner; nothing is lost.
  await page.setInputFiles('#file-input', { name: 'bad.toml', mimeType: 'text/plain', buffer: Buffer.from(TWO_TASKS.replace('guaranteed = 8\npolicy = "mru"', 'guaranteed = 0\npolicy = "mru"')) });
  await page.waitForFunction(() => document.querySelector('#error')?.textContent.includes('task[1].guaranteed'));
  assert.match(await text('#error'), /bad\.toml was not loaded.*task\[1\]\.guaranteed: a task needs at least 1 guaranteed frame/);
  assert.ok(await page.isVisible('#tab-2'), 'the two-task scenario is still there');

  // Save downloads the TOML; export downloads JSON lines.
  const [save] = await Promise.all([page.waitForEvent('download'), page.click('#btn-save')]);
  assert.equal(save.suggestedFilename(), 'two-scanners.toml');
  assert.match(await readFile(await save.path(), 'utf8'), /name = "mru-scan"/);
  await page.click('#btn-fault');
  const [trace] = await Promise.all([page.waitForEvent('download'), page.click('#btn-export')]);
  const lines = (await readFile(await trace.path(), 'utf8')).trim().split('\n');
  const events = Number((await text('#status')).match(/([\d,]+) events/)[1].replace(/,/g, ''));
  assert.ok(lines.length > 10);
  assert.equal(lines.length, events, 'one line per trace record');
  assert.deepEqual(lines.map((l) => JSON.parse(l).seq), [...Array(events).keys()], 'every record, in order');
  assert.equal(JSON.parse(lines[0]).event.kind, 'boot');
  assert.ok(lines.some((l) => JSON.parse(l).event.kind === 'fault'));

  // Copy link: the clipboard or, without permission, a selected text field with the URL.
  await page.click('#btn-copy-link');
  await page.waitForFunction(() => document.querySelector('#btn-copy-link')?.textContent.includes('copied') || document.querySelector('#share-link'));
  if (await page.isVisible('#share-link')) {
    assert.match(await page.inputValue('#share-link'), /#scenario=/);
  }

  // Without clipboard permission the link is shown selected in a field instead.
  await page.evaluate(() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); });
  await page.click('#btn-copy-link');
  await page.waitForSelector('#share-link');
  assert.match(await page.inputValue('#share-link'), /#scenario=/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'share-link', 'the link is focused to copy');
  await t.screenshot('26-link-fallback');
  await page.click('.link-fallback button');

  // Keyboard: Tab reaches the controls with a visible focus ring.
  await page.focus('#btn-step');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'btn-line');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'btn-fault');
  await t.screenshot('25-focus');
}
