// Every call of the pages to the dashboard's JSON API. The URL is built from location.origin, never
// from the page's own URL: a page opened as http://user:pass@host/dashboard/ keeps the credentials in
// location.href, and fetch refuses a URL that carries them. X-Requested-With proves the same origin
// to the API (processor/same_origin.ts): a page of another site cannot send it without a CORS
// preflight, which the processor never grants.
"use strict";

// deno-lint-ignore no-unused-vars -- a global for dashboard.js and console.js, loaded after this file
function api(path, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("X-Requested-With", "shoptrail-dashboard");
  return fetch(new URL(path, location.origin), { ...init, headers });
}
