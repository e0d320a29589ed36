// The seeded shop: products in categories with realistic prices, and a population of users with
// devices, browsers, languages, currencies and the ways they arrive (referrers, UTM campaigns).
// Names come from faker with a fixed seed; everything else from our own Rng, so the same seed
// always builds the same shop.
import { base, en, Faker } from "@faker-js/faker";
import { Rng } from "./rng.ts";

export type Product = { id: string; name: string; category: string; price: number };

export type Device = {
  type: "desktop" | "mobile" | "tablet";
  browser: string;
  os: string;
  userAgent: string;
  viewports: readonly string[];
};

export type Campaign = { source: string; medium: string; campaign: string; term?: string; content?: string };

/** How a session arrives: a referrer URL ("" for direct) and, for paid traffic, UTM tags. */
export type TrafficSource = { name: string; referrer: string; utm?: Campaign };

export type User = {
  anonymous_id: string;
  /** Set for users with an account; they log in on some of their sessions. */
  user_id?: string;
  device: Device;
  viewport: string;
  language: string;
  country: string;
  currency: string;
  /** The source this user usually comes from. */
  source: TrafficSource;
};

export type Catalogue = {
  seed: number;
  products: Product[];
  categories: string[];
  users: User[];
  sources: TrafficSource[];
};

export type CatalogueOptions = { seed?: number; products?: number; users?: number };

// Median price and spread (log-normal sigma) per category, in EUR: groceries are cheap and alike,
// electronics and jewellery spread from a cable to a laptop.
// The nouns make names that fit their category ("Sleek Cookbook", not "Wooden Sausages" in Shoes).
type Category = { name: string; median: number; sigma: number; weight: number; nouns: readonly string[] };
const CATEGORIES: readonly Category[] = [
  { name: "Books", median: 16, sigma: 0.4, weight: 8, nouns: ["Novel", "Cookbook", "Travel Guide", "Atlas"] },
  {
    name: "Beauty",
    median: 24,
    sigma: 0.5,
    weight: 6,
    nouns: ["Face Cream", "Serum", "Perfume", "Lipstick"],
  },
  { name: "Grocery", median: 7, sigma: 0.5, weight: 6, nouns: ["Coffee", "Olive Oil", "Tea", "Chocolate"] },
  { name: "Clothing", median: 39, sigma: 0.5, weight: 10, nouns: ["Shirt", "Pants", "Jacket", "Sweater"] },
  { name: "Shoes", median: 79, sigma: 0.4, weight: 5, nouns: ["Sneakers", "Boots", "Sandals", "Loafers"] },
  { name: "Home", median: 49, sigma: 0.7, weight: 8, nouns: ["Chair", "Lamp", "Table", "Towel", "Mug"] },
  { name: "Garden", median: 35, sigma: 0.8, weight: 4, nouns: ["Planter", "Hose", "Shovel", "Grill"] },
  { name: "Toys", median: 27, sigma: 0.6, weight: 5, nouns: ["Puzzle", "Ball", "Car", "Building Set"] },
  { name: "Sports", median: 59, sigma: 0.8, weight: 5, nouns: ["Bike Helmet", "Yoga Mat", "Tent", "Gloves"] },
  {
    name: "Electronics",
    median: 149,
    sigma: 1.0,
    weight: 7,
    nouns: ["Headphones", "Speaker", "Cable", "Camera"],
  },
  {
    name: "Computers",
    median: 499,
    sigma: 0.7,
    weight: 3,
    nouns: ["Laptop", "Keyboard", "Monitor", "Mouse"],
  },
  { name: "Jewelery", median: 119, sigma: 0.9, weight: 3, nouns: ["Necklace", "Ring", "Watch", "Bracelet"] },
  { name: "Automotive", median: 45, sigma: 0.9, weight: 3, nouns: ["Car Charger", "Seat Cover", "Wiper"] },
];

// Real user-agent strings, so the collector's parser yields the browser, OS and device type shown.
export const DEVICES: readonly (readonly [Device, number])[] = [
  [{
    type: "desktop",
    browser: "Chrome",
    os: "Windows",
    userAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    viewports: ["1920x1080", "1536x864", "1366x768"],
  }, 26],
  [{
    type: "mobile",
    browser: "Mobile Safari",
    os: "iOS",
    userAgent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    viewports: ["390x844", "393x852", "430x932"],
  }, 24],
  [{
    type: "mobile",
    browser: "Chrome",
    os: "Android",
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    viewports: ["412x915", "360x800"],
  }, 18],
  [{
    type: "desktop",
    browser: "Safari",
    os: "Mac OS",
    userAgent:
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
    viewports: ["1440x900", "1728x1117"],
  }, 9],
  [{
    type: "desktop",
    browser: "Firefox",
    os: "Windows",
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    viewports: ["1920x1080", "1366x768"],
  }, 6],
  [{
    type: "desktop",
    browser: "Edge",
    os: "Windows",
    userAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    viewports: ["1920x1080", "1280x720"],
  }, 6],
  [{
    type: "mobile",
    browser: "Samsung Internet",
    os: "Android",
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    viewports: ["384x832", "360x780"],
  }, 5],
  [{
    type: "tablet",
    browser: "Mobile Safari",
    os: "iOS",
    userAgent:
      "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    viewports: ["820x1180", "1024x1366"],
  }, 4],
  [{
    type: "desktop",
    browser: "Chrome",
    os: "Linux",
    userAgent:
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    viewports: ["1920x1080", "2560x1440"],
  }, 2],
];

// Country, language, currency and share of visitors.
const LOCALES: readonly (readonly [country: string, language: string, currency: string, weight: number])[] = [
  ["DE", "de-DE", "EUR", 30],
  ["FR", "fr-FR", "EUR", 14],
  ["NL", "nl-NL", "EUR", 6],
  ["ES", "es-ES", "EUR", 6],
  ["US", "en-US", "USD", 26],
  ["GB", "en-GB", "GBP", 18],
];

/** Fixed exchange rates from the catalogue's EUR prices, so revenue per currency is reproducible. */
export const EUR_RATES: Record<string, number> = { EUR: 1, USD: 1.08, GBP: 0.85 };

const SOURCES: readonly (readonly [TrafficSource, number])[] = [
  [{ name: "direct", referrer: "" }, 30],
  [{ name: "google", referrer: "https://www.google.com/" }, 28],
  [{ name: "bing", referrer: "https://www.bing.com/" }, 4],
  [{
    name: "google_ads",
    referrer: "https://www.google.com/",
    utm: { source: "google", medium: "cpc", campaign: "brand_search", term: "shoptrail shop" },
  }, 8],
  [{
    name: "facebook",
    referrer: "https://l.facebook.com/",
    utm: { source: "facebook", medium: "paid_social", campaign: "winter_sale", content: "carousel_a" },
  }, 9],
  [{
    name: "instagram",
    referrer: "https://l.instagram.com/",
    utm: { source: "instagram", medium: "social", campaign: "influencer_q4", content: "story" },
  }, 7],
  [{
    name: "newsletter",
    referrer: "",
    utm: { source: "newsletter", medium: "email", campaign: "weekly_deals", content: "hero_button" },
  }, 8],
  [{
    name: "tiktok",
    referrer: "https://www.tiktok.com/",
    utm: { source: "tiktok", medium: "paid_social", campaign: "new_arrivals" },
  }, 3],
  [{
    name: "affiliate",
    referrer: "https://www.deal-blog.example/best-gifts",
    utm: { source: "dealblog", medium: "affiliate", campaign: "gift_guide" },
  }, 3],
];

/** Builds the shop; the same options always give the same catalogue. */
export function buildCatalogue(options: CatalogueOptions = {}): Catalogue {
  const { seed = 1, products: productCount = 600, users: userCount = 5000 } = options;
  const faker = new Faker({ locale: [en, base], seed });
  const rng = new Rng(seed).fork("catalogue");

  const products: Product[] = [];
  for (let i = 1; i <= productCount; i++) {
    const category = rng.weighted(CATEGORIES.map((c) => [c, c.weight] as const));
    products.push({
      id: productId(i),
      name: `${faker.commerce.productAdjective()} ${faker.commerce.productMaterial()} ${
        rng.pick(category.nouns)
      }`,
      category: category.name,
      price: shelfPrice(rng.logNormal(category.median, category.sigma)),
    });
  }

  const users: User[] = [];
  for (let i = 0; i < userCount; i++) {
    const device = rng.weighted(DEVICES);
    const [country, language, currency] = rng.weighted(LOCALES.map((l) => [l, l[3]] as const));
    users.push({
      anonymous_id: `a_${rng.id(16)}`,
      user_id: rng.chance(0.35)
        ? `u_${faker.string.alphanumeric({ length: 10, casing: "lower" })}`
        : undefined,
      device,
      viewport: rng.pick(device.viewports),
      language,
      country,
      currency,
      source: rng.weighted(SOURCES),
    });
  }

  return {
    seed,
    products,
    categories: CATEGORIES.map((c) => c.name),
    users,
    sources: SOURCES.map(([s]) => s),
  };
}

export function productId(n: number): string {
  return `p${String(n).padStart(4, "0")}`;
}

/** Rounds a raw price to what a shelf shows: x.99 under 100, whole x9.00 / x5.00 above. */
export function shelfPrice(raw: number): number {
  const p = Math.min(Math.max(raw, 0.5), 20_000);
  const shelf = p < 10
    ? Math.max(0.49, Math.round(p * 2) / 2 - 0.01)
    : p < 100
    ? Math.round(p) - 0.01
    : Math.round(p / 5) * 5 - 1;
  return Math.round(shelf * 100) / 100;
}

/** A catalogue price in the user's currency, rounded to the cent. */
export function localPrice(eur: number, currency: string): number {
  return Math.round(eur * (EUR_RATES[currency] ?? 1) * 100) / 100;
}

/** Products as JSONEachRow (id, name, category, price in EUR) for the ClickHouse `products` table. */
export function productRows(catalogue: Catalogue): string {
  return catalogue.products
    .map((p) => JSON.stringify({ id: p.id, name: p.name, category: p.category, price: p.price }) + "\n")
    .join("");
}

/** Users with an account as JSONEachRow for the ClickHouse `users` table. */
export function userRows(catalogue: Catalogue): string {
  return catalogue.users
    .filter((u) => u.user_id)
    .map((u) =>
      JSON.stringify({
        user_id: u.user_id,
        anonymous_id: u.anonymous_id,
        country: u.country,
        language: u.language,
        currency: u.currency,
        device_type: u.device.type,
        browser: u.device.browser,
        os: u.device.os,
      }) + "\n"
    )
    .join("");
}
