// Products from the counted facts: product_performance, product_performance_hourly and dim_product,
// all from one list of product activity (product views, cart adds and removes, order lines).
import type { Catalogue } from "../catalogue.ts";
import type { Counted } from "./facts.ts";
import { addCents, type Cents, cents, groupBy, lineCents, localHour, ratio } from "./units.ts";

type Act = {
  t: number;
  /** The site's hour. */
  hour: number;
  product: string;
  kind: string;
  user: string;
  order: string;
  qty: number;
  currency: string;
  cents: number;
};

function activity({ unique, orders, timeZone }: Counted): Act[] {
  const touch = (t: number, product: string, kind: string, user: string): Act => ({
    t,
    hour: localHour(t, timeZone),
    product,
    kind,
    user,
    order: "",
    qty: 0,
    currency: "",
    cents: 0,
  });
  return [
    ...unique.flatMap((f): Act[] => {
      if (f.viewed !== "") return [touch(f.t, f.viewed, "view", f.user_key)];
      if (f.type === "add_to_cart" || f.type === "remove_from_cart") {
        return [touch(f.t, f.product_id, f.type, f.user_key)];
      }
      return [];
    }),
    ...orders.flatMap((o) =>
      o.items.map((l) => ({
        t: o.t,
        hour: localHour(o.t, timeZone),
        product: l.product_id,
        kind: "order_line",
        user: o.user_key,
        order: o.order_id,
        qty: l.quantity,
        currency: o.currency,
        cents: lineCents(l),
      }))
    ),
  ];
}

function perf(acts: Act[]) {
  const count = (k: string) => acts.filter((a) => a.kind === k).length;
  const ls = acts.filter((a) => a.kind === "order_line");
  const revenue: Cents = {};
  for (const l of ls) addCents(revenue, l.currency, l.cents);
  const views = count("view"),
    cart_adds = count("add_to_cart"),
    purchases = new Set(ls.map((l) => l.order)).size;
  return {
    views,
    unique_viewers: new Set(acts.filter((a) => a.kind === "view").map((a) => a.user)).size,
    cart_adds,
    cart_removes: count("remove_from_cart"),
    purchases,
    units: ls.reduce((s, l) => s + l.qty, 0),
    revenue,
    view_to_cart_rate: ratio(cart_adds, views),
    cart_to_purchase_rate: ratio(purchases, cart_adds),
  };
}

export function productTables(counted: Counted, catalogue: Catalogue) {
  const { site } = counted;
  const acts = activity(counted);
  const products = new Map(catalogue.products.map((p) => [p.id, p]));
  const named = (id: string) => ({
    name: products.get(id)?.name ?? "",
    category: products.get(id)?.category ?? "",
  });
  const product_performance = [...groupBy(acts, (a) => a.product)]
    .map(([product_id, as]) => ({ site, product_id, ...named(product_id), ...perf(as) }));
  const product_performance_hourly = [...groupBy(acts, (a) => `${a.hour}|${a.product}`)]
    .map(([k, as]) => {
      const [hour, product_id] = k.split("|");
      return { site, hour: Number(hour), product_id, ...named(product_id), ...perf(as) };
    });
  const dim_product = catalogue.products.map((p) => {
    const mine = acts.filter((a) => a.product === p.id);
    const ls = mine.filter((a) => a.kind === "order_line");
    const revenue: Cents = {};
    for (const l of ls) addCents(revenue, l.currency, l.cents);
    return {
      product_id: p.id,
      name: p.name,
      category: p.category,
      price: cents(p.price),
      views: mine.filter((a) => a.kind === "view").length,
      cart_adds: mine.filter((a) => a.kind === "add_to_cart").length,
      orders: new Set(ls.map((l) => l.order)).size,
      units_sold: ls.reduce((s, l) => s + l.qty, 0),
      revenue,
    };
  });
  return { product_performance, product_performance_hourly, dim_product };
}

type DimProduct = ReturnType<typeof productTables>["dim_product"][number];

/** dim_product of several sites' truths together: the table counts every site's activity. */
export function dimProductOfSites(perSite: readonly DimProduct[][]): DimProduct[] {
  return perSite[0].map((first, i) => {
    const rows = perSite.map((rows) => rows[i]);
    const revenue: Cents = {};
    for (const r of rows) for (const [c, v] of Object.entries(r.revenue)) addCents(revenue, c, v);
    const sum = (k: "views" | "cart_adds" | "orders" | "units_sold") => rows.reduce((s, r) => s + r[k], 0);
    return {
      ...first,
      views: sum("views"),
      cart_adds: sum("cart_adds"),
      orders: sum("orders"),
      units_sold: sum("units_sold"),
      revenue,
    };
  });
}
