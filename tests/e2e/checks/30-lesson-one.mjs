// A student follows lesson 1 only by doing what its steps say (keys and clicks), sees every
// step ticked, answers a question wrongly then rightly, and ends with the lesson complete.
export const name = 'lesson 1: steps ticked from the session, answers graded, lesson complete';

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  await page.evaluate(() => localStorage.clear());
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('l');
  await page.waitForSelector('#lesson-list');
  await page.click('#open-lesson-1');
  await page.waitForSelector('#lesson-1');
  assert.match(page.url(), /\?lesson=1/, 'the URL follows the lesson');
  const done = (k) => page.locator(`#step-${k}`).getAttribute('data-done');
  const ticked = (k) => page.waitForSelector(`#step-${k}[data-done="true"]`);
  assert.equal(await done(1), 'false');

  // Screenshots show the marks at rest, once their animations are over.
  const settled = () => page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
  const key = async (k) => {
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press(k);
  };
  await key('f'); // step 1: Next fault
  await ticked(1);
  await ticked(2); // step 2 looks at the walk: the PTE is not present yet
  await page.click('#step-2-link'); // the PTE of 0x401000: its row in the walk is marked
  assert.match(await page.locator('#walk-verdict').innerText(), /not present/);
  await page.waitForSelector('#walk tr.level.pointed[data-level="PTE"]');
  assert.equal(await page.locator('#walk tr.pointed').count(), 1, 'one row, the PTE');
  await settled();
  await t.screenshot('30-lesson-pte-row');
  await key('i'); // step 3: Next IPC serves the fault
  await ticked(3);
  await page.click('#step-3-link'); // the fault in the timeline: its chip is marked
  const chip = page.locator('#timeline .fault-strip button.pointed');
  await chip.waitFor();
  assert.match(await chip.innerText(), /0x00401000/);
  assert.equal(await chip.getAttribute('aria-pressed'), 'true', 'the diagram shows that fault');
  await settled();
  await t.screenshot('30-lesson-fault-chip');
  await key('b'); // step 4: Step back — the PTE is gone, and step 3 is no longer ticked
  await ticked(4);
  assert.equal(await done(3), 'false', 'stepping back unticks the step it undid');
  await page.click('#step-4-link'); // pfn 9 in the frame map: outlined on the canvas
  await page.waitForSelector('#frames canvas.frame-map[data-outlined="9"]');
  assert.ok(await page.locator('#frame-target').isVisible(), 'the outline is drawn');
  assert.match(await page.locator('#frame-detail').innerText(), /^frame 9 /, 'and described');
  await settled();
  await t.screenshot('30-lesson-frame-outline');
  await key(' '); // step 5: Run to the end
  await ticked(5);
  await t.screenshot('30-lesson-steps');

  // Question 1 (a choice): wrong, then right.
  await page.check('#q-1-option-3');
  await page.click('#q-1-check');
  await page.waitForSelector('#q-1-verdict.wrong');
  assert.match(await page.locator('#q-1-verdict').innerText(), /Not quite/);
  assert.doesNotMatch(await page.locator('#q-1-verdict').innerText(), /physmem chose the frame/, 'a hint, not the answer');
  await page.check('#q-1-option-1');
  await page.click('#q-1-check');
  await page.waitForSelector('#q-1-verdict.right');

  // Question 2 (a number graded against the run): wrong, show the answer, then right.
  await page.fill('#q-2-input', '1000');
  await page.click('#q-2-check');
  await page.waitForSelector('#q-2-verdict.wrong');
  await page.click('#q-2-show');
  assert.match(await page.locator('#q-2-answer').innerText(), /1,205/, 'the measured answer');
  await page.fill('#q-2-input', '1,205');
  await page.click('#q-2-check');
  await page.waitForSelector('#q-2-verdict.right');
  await page.waitForSelector('#lesson-complete');
  await t.screenshot('31-lesson-complete');

  await page.click('#lesson-back');
  assert.equal(await page.locator('#open-lesson-1').getAttribute('data-mark'), 'complete');
  const saved = await page.evaluate(() => localStorage.getItem('selfpage.lessons.v1'));
  assert.ok(saved && saved.includes('"1"'), `progress is kept in the browser: ${saved}`);
  await t.screenshot('32-lesson-list');
}
