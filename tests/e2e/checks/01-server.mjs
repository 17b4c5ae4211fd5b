// The static server: strict CSP on every response, right content types, 404s, query strings ignored.
export const name = 'server sends the CSP, wasm/js content types and 404s';

export default async function ({ url, assert }) {
  const get = (p) => fetch(new URL(p, url));

  const index = await get('/?from=e2e');
  assert.equal(index.status, 200, 'GET /?from=e2e');
  assert.match(index.headers.get('content-type'), /^text\/html/);
  const csp = index.headers.get('content-security-policy') || '';
  for (const part of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(part), `CSP lacks "${part}": ${csp}`);
  }

  const wasm = await get('/pkg/selfpage_web_bg.wasm');
  assert.equal(wasm.status, 200, 'the built wasm is in www/pkg');
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  const js = await get('/pkg/selfpage_web.js');
  assert.match(js.headers.get('content-type') || '', /^text\/javascript/);

  const missing = await get('/no-such-page.html');
  assert.equal(missing.status, 404);
  assert.ok(missing.headers.get('content-security-policy'), 'a 404 carries the CSP too');
}
