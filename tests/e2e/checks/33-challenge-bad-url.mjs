// A shared challenge link whose program is malformed: garbage instead of a scenario, or a
// scenario whose program does not assemble. Each gets a clear message, nothing panics, and
// the page stays usable: the challenge is open, its starting program loads and is graded.
export const name = 'challenge: a malformed program in the URL gets a clear message';

export default async function (t) {
  const { page, assert } = t;
  // Garbage where the scenario should be: refused, and the starting program is loaded.
  await t.open('/?challenge=1#scenario=%7Bnot%20a%20scenario');
  await page.waitForSelector('#challenge-1');
  assert.match(
    await page.locator('#error').innerText(),
    /the link's scenario was refused: .*line 1 column 2: challenge 1's starting program is loaded instead/,
  );
  assert.match(await page.locator('textarea').first().inputValue(), /choose:/, 'the starting program');
  await t.screenshot('37-challenge-bad-url');
  await page.click('#challenge-submit');
  await page.waitForSelector('#challenge-result[data-met="false"]');

  // A scenario whose program does not assemble: the assembler says where, and the student
  // can load the starting program again and carry on.
  const hash = new URL(page.url()).hash;
  assert.match(hash, /^#scenario=/, 'submitting put the scenario into the URL');
  const scenario = JSON.parse(decodeURIComponent(hash.slice('#scenario='.length)));
  scenario.task[0].source = scenario.task[0].source.replace('xor eax, eax', 'xor eax, [oops');
  await page.goto('about:blank'); // a link differing only in its fragment would not reload
  // Nothing boots, so the app never reports ready: wait for the challenge instead.
  await t.open(`/?challenge=1#scenario=${encodeURIComponent(JSON.stringify(scenario))}`, { waitForApp: false });
  await page.waitForSelector('#challenge-1');
  const error = await page.locator('#error').innerText();
  assert.match(error, /line \d+/, `the error names the line: ${error}`);
  assert.doesNotMatch(error, /refused/, 'the scenario itself was read');
  assert.match(await page.locator('textarea').first().inputValue(), /\[oops/, 'the program is shown to be fixed');
  await t.screenshot('38-challenge-bad-program');
  await page.click('#challenge-load');
  assert.equal(await page.locator('#error').count(), 0, 'the starting program loads cleanly');
  await page.click('#challenge-submit');
  await page.waitForSelector('#challenge-result[data-met="false"]');
  assert.match(await page.locator('#challenge-result').innerText(), /OPT/);
}
