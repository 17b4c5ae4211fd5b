//! selfpage-web: the playground in the browser.
