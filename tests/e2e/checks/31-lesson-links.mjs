// Lesson links for class: ?lesson=3&step=2 opens lesson 3 at step 2 with that step's
// scenario loaded; bad links and corrupted progress get a clear message, and the page works.
export const name = 'lesson links: ?lesson=3&step=2, bad links and corrupted progress';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/?lesson=3&step=2');
  await page.waitForSelector('#lesson-3');
  await page.waitForSelector('#step-2.current');
  const scenario = await page.locator('select[aria-label="Built-in scenario"] option:checked').innerText();
  assert.match(scenario, /priority hints/i, `step 2's scenario is loaded: ${scenario}`);
  await t.screenshot('33-lesson-link');

  // The presenter view on a 1024×768 projector: the lesson and the panes it links to.
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.click('#presenter-toggle');
  await page.waitForSelector('body.presenter');
  assert.ok(await page.locator('#walk').isHidden(), 'panes the lesson does not use are hidden');
  assert.ok(await page.locator('#events').isVisible(), 'the trace, which the lesson links to, stays');
  await t.screenshot('35-presenter');
  await page.click('#presenter-toggle');
  await page.setViewportSize({ width: 1440, height: 900 });

  await t.open('/?lesson=42');
  assert.match(await page.locator('#lesson-notice').innerText(), /numbered 1 to 15/);
  await page.click('#open-lesson-2');
  await page.waitForSelector('#lesson-2');
  // A link to an element the session does not have yet says why, and marks nothing.
  await page.click('#step-3-link');
  assert.match(await page.locator('#step-3-missing').innerText(), /0x9000 of task 1 is not in a frame now/);
  assert.equal(await page.locator('#frames canvas[data-outlined]').count(), 0);

  await t.open('/?lesson=2&step=99');
  assert.match(await page.locator('#lesson-notice').innerText(), /step “99” of lesson 2/);

  await page.evaluate(() => localStorage.setItem('selfpage.lessons.v1', '{"lessons": oops'));
  await t.open('/');
  await page.keyboard.press('l');
  assert.match(await page.locator('#lesson-notice').innerText(), /could not be read/);
  await page.click('#progress-reset');
  assert.equal(await page.locator('#lesson-notice').count(), 0);
  await page.click('#btn-fault');
  await page.waitForFunction(() => document.querySelector('#fault-count')?.textContent === '1 faults');

  // Explain mode: the "?" of a pane says how to read it and links to the lesson teaching it.
  await page.click('#explain-frames');
  const note = page.locator('#frames [role=note]');
  assert.match(await note.innerText(), /extra.*frame/i);
  assert.equal(await note.locator('a').getAttribute('href'), '?lesson=6');
  await t.screenshot('36-explain');

  // A link to a trace record older than the newest rows shows it after a gap, marked.
  await t.open('/?lesson=5&step=3');
  await page.click('#step-3-do');
  await page.waitForSelector('#step-3[data-done="true"]');
  await page.click('#step-3-link');
  await page.waitForSelector('#events .ev.pointed');
  assert.match(await page.locator('#events .ev-gap').innerText(), /… \d+ records …/);
  assert.match(await page.locator('#events .ev.pointed').innerText(), /asks task 1 to return 10 frames/);
}
