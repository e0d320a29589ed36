// deno-lint-ignore-file no-window -- browser code, served to the demo shop
// The demo shop's own code. Deferred like the SDK and before it in each page, it runs first, once
// the page is parsed: it starts with the pre-load stub (calls made now are queued and replayed by
// the SDK in order), and renders the page before the SDK reads its data-shoptrail-* attributes.
window.shoptrail = window.shoptrail || function () {
  (window.shoptrail.q = window.shoptrail.q || []).push(arguments);
};

(function () {
  const CATALOG = [
    { product_id: "sku-mug", name: "Trail mug", category: "Kitchen", price: 12.5, color: "#c84" },
    { product_id: "sku-tee", name: "Trail tee", category: "Apparel", price: 24, color: "#48c" },
    { product_id: "sku-cap", name: "Trail cap", category: "Apparel", price: 18, color: "#4a6" },
    { product_id: "sku-map", name: "Paper map", category: "Outdoor", price: 9.9, color: "#a6a" },
    { product_id: "sku-bottle", name: "Steel bottle", category: "Outdoor", price: 21, color: "#888" },
    { product_id: "sku-socks", name: "Wool socks", category: "Apparel", price: 14, color: "#c44" },
  ];
  const CURRENCY = "EUR";
  const find = function (id) {
    return CATALOG.filter(function (p) {
      return p.product_id == id;
    })[0];
  };
  const cart = function () {
    try {
      return JSON.parse(localStorage.getItem("demo_cart")) || [];
    } catch (_) {
      return [];
    }
  };
  const saveCart = function (c) {
    localStorage.setItem("demo_cart", JSON.stringify(c));
    const n = document.getElementById("cart-count");
    if (n) {
      n.textContent = c.reduce(function (s, l) {
        return s + l.quantity;
      }, 0);
    }
  };
  const esc = function (s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return "&#" + ch.charCodeAt(0) + ";";
    });
  };
  const money = function (n) {
    return n.toFixed(2) + " " + CURRENCY;
  };
  // The SDK's declarative attribute: a click on this button sends add_to_cart by itself.
  const addButton = function (p) {
    const item = {
      product_id: p.product_id,
      name: p.name,
      category: p.category,
      price: p.price,
      quantity: 1,
      currency: CURRENCY,
    };
    return '<button class=add data-id="' + p.product_id + "\" data-shoptrail-add='" +
      esc(JSON.stringify(item)) + "'>Add to cart</button>";
  };
  const line = function (l) {
    return { product_id: l.product_id, quantity: l.quantity, price: l.price };
  };
  const total = function (c) {
    return c.reduce(function (s, l) {
      return s + l.price * l.quantity;
    }, 0);
  };

  const pages = {
    grid: function () {
      document.getElementById("grid").innerHTML = CATALOG.map(function (p) {
        return '<div class=card><div class=swatch style="background:' + p.color + '"></div>' +
          '<a href="/demo/product?id=' + p.product_id + '">' + esc(p.name) + "</a><p>" + money(p.price) +
          "</p>" +
          addButton(p) + "</div>";
      }).join("");
    },
    product: function () {
      const p = find(new URLSearchParams(location.search).get("id")) || CATALOG[0];
      document.title = p.name + " · Shoptrail demo shop";
      const el = document.getElementById("product");
      // The SDK's declarative product view: sent on load for the element that names the product.
      el.setAttribute(
        "data-shoptrail-product",
        JSON.stringify({
          product_id: p.product_id,
          name: p.name,
          category: p.category,
          price: p.price,
          currency: CURRENCY,
        }),
      );
      el.innerHTML = "<h1>" + esc(p.name) +
        '</h1><div class=swatch style="background:' +
        p.color + '"></div><p>' + esc(p.category) + " · " + money(p.price) + "</p>" + addButton(p);
    },
    cart: function () {
      const c = cart();
      document.getElementById("cart").innerHTML = c.length
        ? "<table>" + c.map(function (l) {
          return "<tr><td>" + esc(l.name) + "</td><td>" + l.quantity + " × " + money(l.price) +
            "</td><td><button class='secondary remove' data-id=\"" + l.product_id +
            '">Remove</button></td></tr>';
        }).join("") + "</table><p>Total: " + money(total(c)) + "</p>"
        : "<p>Your cart is empty.</p>";
      // The SDK's declarative checkout button: a click sends begin_checkout with the cart's value.
      document.getElementById("to-checkout").setAttribute(
        "data-shoptrail-checkout",
        JSON.stringify({ currency: CURRENCY, value: Math.round(total(c) * 100) / 100, items: c.map(line) }),
      );
    },
    checkout: function () {
      const c = cart();
      document.getElementById("summary").textContent = c.length + " item(s), " + money(total(c));
      document.getElementById("checkout-form").addEventListener("submit", function (e) {
        e.preventDefault();
        if (!c.length) return;
        const order = {
          order_id: "ord-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8),
          revenue: Math.round(total(c) * 100) / 100,
          currency: CURRENCY,
          items: c.map(line),
        };
        sessionStorage.setItem("demo_order", JSON.stringify(order));
        saveCart([]);
        location.href = "/demo/thanks";
      });
    },
    thanks: function () {
      // Sent on the thank-you page: a reload sends it again, and the SDK's order_id dedup drops it.
      const order = JSON.parse(sessionStorage.getItem("demo_order") || "null");
      if (!order) return;
      shoptrail("purchase", order);
      document.getElementById("order-note").textContent = "Order " + order.order_id + ": " +
        money(order.revenue) + ".";
    },
  };

  document.addEventListener("click", function (e) {
    const add = e.target.closest && e.target.closest("button.add");
    const remove = e.target.closest && e.target.closest("button.remove");
    const c = cart();
    if (add) {
      const p = find(add.getAttribute("data-id"));
      const line = c.filter(function (l) {
        return l.product_id == p.product_id;
      })[0];
      if (line) line.quantity++;
      else {c.push({
          product_id: p.product_id,
          name: p.name,
          category: p.category,
          price: p.price,
          quantity: 1,
        });}
      saveCart(c);
    } else if (remove) {
      const id = remove.getAttribute("data-id");
      const l = c.filter(function (x) {
        return x.product_id == id;
      })[0];
      shoptrail("removeFromCart", {
        product_id: l.product_id,
        name: l.name,
        category: l.category,
        price: l.price,
        quantity: l.quantity,
        currency: CURRENCY,
      });
      saveCart(c.filter(function (x) {
        return x.product_id != id;
      }));
      pages.cart();
    }
  });
  saveCart(cart());
  const page = pages[document.body.getAttribute("data-page")];
  if (page) page();
})();
