// The units the truth counts in, shared by every table family: times in Unix ms, money in integer
// cents per currency, buckets by flooring, and the pages an event's URL names.
import type { PurchaseEvent } from "../../contract/mod.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Money per currency, in cents. */
export type Cents = Record<string, number>;
/** A table's row as the truth writes it. */
export type Row = Record<string, unknown>;

export const floorTo = (ms: number, unit: number): number => Math.floor(ms / unit) * unit;
export const cents = (amount: number): number => Math.round(amount * 100);
export const lineCents = (i: { price: number; quantity: number }): number => cents(i.price) * i.quantity;
export const orderUnits = (p: PurchaseEvent): number => p.items.reduce((s, i) => s + i.quantity, 0);
/** Half away from zero to the cent, as Decimal rounding does. */
export const aovCents = (total: number, n: number): number => Math.floor((2 * total + n) / (2 * n));
export const ratio = (a: number, b: number): number => b === 0 ? 0 : a / b;
export const addCents = (m: Cents, k: string, v: number): Cents => (m[k] = (m[k] ?? 0) + v, m);

/** The product of a product page, as written in its path `/products/{id}`. */
export const productSlug = (url: string): string | undefined => /\/products\/([^/?#]+)/.exec(url)?.[1];
/** The product of a product page view, read from its path `/products/{id}`. */
export function productIdFromUrl(url: string): string | undefined {
  const slug = productSlug(url);
  return slug === undefined ? undefined : decodeURIComponent(slug);
}
export const pathOf = (url: string): string => new URL(url).pathname;
export const domainOf = (url: string): string =>
  url === "" ? "(direct)" : new URL(url).hostname.replace(/^www\./, "");

export function groupBy<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
