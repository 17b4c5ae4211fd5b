// The flag row tells defined flags from the ones the architecture leaves undefined: after
// `shl eax, 1` only AF is undefined (hatched, with the manual's reason on hover); after `div`
// all six status flags are; an `add` defines them again.
export const name = 'flag row: undefined flags marked, with the reason';

const PROGRAM = `mov eax, 0xc0000000
shl eax, 1
xor edx, edx
mov ecx, 7
div ecx
add eax, 1
mov eax, 8
int 0x30
`;

export default async function (t) {
  const { page, assert } = t;
  await t.open('/');
  await page.locator('#editor textarea').fill(PROGRAM);
  await page.click('#btn-apply');
  const undefinedFlags = () =>
    page.$$eval('#cpu .flag.undefined', (els) => els.map((e) => e.textContent));
  const step = async (n) => {
    for (let i = 0; i < n; i++) await page.click('#btn-step');
  };

  await step(2);
  assert.deepEqual(await undefinedFlags(), ['AF?'], 'after shl by 1, AF alone is undefined');
  const why = await page.getAttribute('#flag-af', 'title');
  assert.match(why, /SHL/, 'the tooltip names the instruction');
  assert.match(why, /non-zero count, the AF flag is undefined/, 'and quotes the manual');
  await page.hover('#flag-af');
  await t.screenshot('13-undefined-af-after-shl');

  await step(3);
  assert.deepEqual(
    await undefinedFlags(),
    ['CF?', 'PF?', 'AF?', 'ZF?', 'SF?', 'OF?'],
    'after div every status flag is undefined'
  );
  await t.screenshot('13-undefined-all-after-div');
  await step(1);
  assert.deepEqual(await undefinedFlags(), [], 'add defines all six again');
}
