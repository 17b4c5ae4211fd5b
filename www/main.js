// Starts the wasm app. An external module (not an inline script) because the
// Content-Security-Policy allows scripts from 'self' only. The dynamic import lets a
// missing or broken www/pkg show a message instead of a page stuck on "Loading".
const loading = document.getElementById('loading');

try {
  const { default: init } = await import('./pkg/selfpage_web.js');
  // Runs the crate's #[wasm_bindgen(start)] function, which mounts the Yew app.
  await init();
  loading?.remove();
} catch (error) {
  console.error('Selfpage failed to start:', error);
  if (loading) {
    loading.classList.add('error');
    loading.textContent = `Selfpage could not start: ${error?.message || error}. ` +
      'Run `cargo xtask serve` to rebuild www/pkg, then reload.';
  }
}
