// The script-tag entry, bundled as the IIFE `dist/shoptrail.js`:
//   <script defer src="https://COLLECTOR/sdk.js" data-site="demo"></script>
// Reads its settings from its own tag, replays calls queued by the pre-load stub
// (`shoptrail("addToCart", {...})`) in order, sends the first page_view, wires declarative
// buttons, and sends a product view when an element names the page's product:
//   <main data-shoptrail-product='{"product_id":"p1","name":"Mug","price":9.5,"currency":"EUR"}'>
//   <button data-shoptrail-add='{"product_id":"p1","price":9.5,"quantity":1,"currency":"EUR"}'>
//   <button data-shoptrail-checkout='{"currency":"EUR","value":9.5}'>  (the value may be empty)
// It goes to the tracker directly rather than through index.ts: the ESM wrappers cost bytes.
import { fromScript } from "./config.ts";
import { safe } from "./env.ts";
import { createTracker, type Tracker } from "./tracker.ts";

type Api = ((method: keyof Tracker, ...args: unknown[]) => unknown) & { q?: IArguments[] } & Partial<Tracker>;

safe(() => {
  const w = window as unknown as Window & typeof globalThis & { shoptrail?: Api };
  const doc = document;
  const config = fromScript(
    (doc.currentScript || doc.querySelector("script[data-site]")) as HTMLScriptElement | null,
  );
  const stub = w.shoptrail;
  if (!config || (stub && stub.flush)) return; // no settings, or loaded twice
  const t = createTracker(w, config);
  const api = Object.assign(
    (method: keyof Tracker, ...args: unknown[]) =>
      t[method] && (t[method] as (...a: unknown[]) => unknown)(...args),
    t,
  );
  w.shoptrail = api;
  for (const args of (stub && stub.q) || []) api.apply(null, args as unknown as [keyof Tracker]);
  if (config.pageviews != false) t.pageview();
  doc.addEventListener(
    "click",
    safe((e: Event) => {
      const el = (e.target as Element).closest(
        "[data-shoptrail-add],[data-shoptrail-remove],[data-shoptrail-checkout]",
      ) as HTMLElement;
      const d = el && el.dataset;
      if (d) {
        d.shoptrailAdd
          ? t.addToCart(JSON.parse(d.shoptrailAdd))
          : d.shoptrailRemove
          ? t.removeFromCart(JSON.parse(d.shoptrailRemove))
          : t.beginCheckout(JSON.parse(d.shoptrailCheckout || "{}"));
      }
    }),
  );
  // Last, so that bad JSON in it costs only this product view. The script is deferred, so the
  // page's elements exist; a single-page app calls viewProduct on each product page instead.
  const product = doc.querySelector("[data-shoptrail-product]") as HTMLElement;
  if (product) t.viewProduct(JSON.parse(product.dataset.shoptrailProduct!));
})();
