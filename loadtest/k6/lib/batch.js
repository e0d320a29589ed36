// Realistic batches for k6, on the simulator's wire protocol: page views, cart changes and
// purchases from short sessions, with products from the simulator's catalogue id space
// (p0001..p0600). k6 runs plain JavaScript, so this is a small stand-alone cousin of
// loadtest/session.ts; its events satisfy contract/event.ts all the same.
import http from "k6/http";
import { check } from "k6";
import { Counter } from "k6/metrics";

export const COLLECTOR_URL = (__ENV.COLLECTOR_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
export const SITE = __ENV.SITE || "demo";
export const BATCH_SIZE = Number(__ENV.BATCH_SIZE || 20);
// Extra headers as JSON, e.g. HEADERS='{"X-Write-Key":"..."}'.
const HEADERS = JSON.parse(__ENV.HEADERS || "{}");

const eventsSent = new Counter("events_sent");
const eventsAccepted = new Counter("events_accepted");

const ORIGIN = `https://${SITE}.shop.example`;
const CATEGORIES = ["Books", "Beauty", "Clothing", "Shoes", "Home", "Toys", "Sports", "Electronics"];
const PRODUCTS = Array.from({ length: 600 }, (_, i) => ({
  id: `p${String(i + 1).padStart(4, "0")}`,
  category: CATEGORIES[i % CATEGORIES.length],
  price: Math.round((5 + ((i * 7919) % 400)) * 100 - 1) / 100,
}));
const USER_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
];

const hex = (n) => {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
};
export function uuid() {
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(Math.random() * 4)]}${hex(3)}-${hex(12)}`;
}
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];

/** `size` events from one visitor's session, ending with a purchase now and then. */
export function makeBatch(size = BATCH_SIZE) {
  const now = Date.now();
  const common = {
    session_id: `s_${hex(16)}`,
    anonymous_id: `a_${hex(16)}`,
    language: "en-US",
    viewport: "1920x1080",
  };
  const cart = [];
  const events = [];
  for (let i = 0; i < size; i++) {
    const product = pick(PRODUCTS);
    const base = { ...common, event_id: uuid(), ts: now - (size - i) * 500 };
    const r = Math.random();
    if (i === size - 1 && cart.length > 0 && r < 0.5) {
      const cents = cart.reduce((sum, item) => sum + Math.round(item.price * 100) * item.quantity, 0);
      events.push({
        ...base,
        type: "purchase",
        url: `${ORIGIN}/checkout/thank-you`,
        order_id: `o_${hex(16)}`,
        revenue: cents / 100,
        currency: "EUR",
        items: cart,
      });
    } else if (r < 0.15) {
      cart.push({ product_id: product.id, quantity: 1, price: product.price });
      events.push({
        ...base,
        type: "add_to_cart",
        url: `${ORIGIN}/products/${product.id}`,
        product_id: product.id,
        category: product.category,
        price: product.price,
        quantity: 1,
        currency: "EUR",
      });
    } else {
      events.push({
        ...base,
        type: "page_view",
        url: `${ORIGIN}/products/${product.id}`,
        title: product.id,
        props: { product_id: product.id },
      });
    }
  }
  return { site: SITE, sent_at: now, events };
}

/** Posts one batch and checks the collector accepted every event. */
export function postBatch(size = BATCH_SIZE) {
  const batch = makeBatch(size);
  const response = http.post(`${COLLECTOR_URL}/v1/batch`, JSON.stringify(batch), {
    headers: { "Content-Type": "application/json", "User-Agent": pick(USER_AGENTS), ...HEADERS },
    tags: { name: "POST /v1/batch" },
  });
  eventsSent.add(batch.events.length);
  let accepted = 0;
  try {
    accepted = response.status === 202 ? response.json("accepted") ?? 0 : 0;
  } catch (_) {
    accepted = 0;
  }
  eventsAccepted.add(accepted);
  check(response, {
    "status is 202": (r) => r.status === 202,
    "every event accepted": () => accepted === batch.events.length,
  });
  return response;
}
