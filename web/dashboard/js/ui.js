// Shared page pieces: headers, tables, pagination, loading placeholders.

import { h } from "./dom.js";

export const PAGE_SIZE = 10;

export function pageHeader(title, subtitle, ...actions) {
  return h(
    "div",
    { class: "page-header" },
    h("div", {}, h("h1", { class: "page-title", tabindex: "-1" }, title), subtitle ? h("p", { class: "page-sub" }, subtitle) : null),
    actions.length ? h("div", { class: "page-actions" }, actions) : null,
  );
}

export function loading(text = "Loading…") {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

/**
 * columns: [{label, cell: (row) => Node|string, class?}]
 * options: {testid, rowTestid, rowId: (row) => id, href: (row) => "#/...", empty, caption}
 */
export function dataTable(columns, rows, options = {}) {
  const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class }, c.label))));
  const body = h("tbody", {});
  for (const row of rows) {
    const href = options.href ? options.href(row) : null;
    const tr = h("tr", {
      testid: options.rowTestid,
      "data-id": options.rowId ? options.rowId(row) : undefined,
      class: href ? "clickable" : undefined,
    });
    if (href) {
      tr.addEventListener("click", (event) => {
        if (event.target.closest("a, button, input, select")) return;
        if (window.getSelection && String(window.getSelection()).length > 0) return;
        location.hash = href;
      });
    }
    for (const column of columns) tr.append(h("td", { class: column.class, "data-label": column.label }, column.cell(row)));
    body.append(tr);
  }
  if (rows.length === 0) {
    body.append(h("tr", { class: "empty-row" }, h("td", { colspan: columns.length }, options.empty || "Nothing here yet.")));
  }
  return h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "table", testid: options.testid }, options.caption ? h("caption", { class: "sr-only" }, options.caption) : null, head, body),
  );
}

/** Prev/next for {items, count, has_more} pages with limit/offset. */
export function pager({ offset, count, hasMore, onPrev, onNext, prefix }) {
  const first = count ? offset + 1 : 0;
  const last = offset + count;
  return h(
    "nav",
    { class: "pager", "aria-label": "Pagination" },
    h("span", { class: "pager-info" }, count ? `Showing ${first}–${last}` : offset ? "No more results" : ""),
    h(
      "div",
      { class: "pager-buttons" },
      h("button", { type: "button", class: "btn btn-small", testid: prefix && `${prefix}-prev`, disabled: offset <= 0, onclick: onPrev }, "← Previous"),
      h("button", { type: "button", class: "btn btn-small", testid: prefix && `${prefix}-next`, disabled: !hasMore, onclick: onNext }, "Next →"),
    ),
  );
}

/** The pager of a list page whose position is its route's ?offset=: Previous/Next go to the neighbours. */
export function routePager(app, route, offset, page) {
  return h(
    "div",
    { class: "panel-pad" },
    pager({
      offset,
      count: (page.items || []).length,
      hasMore: page.has_more,
      prefix: route,
      onPrev: () => app.navigate(route, { offset: Math.max(0, offset - PAGE_SIZE) || "" }),
      onNext: () => app.navigate(route, { offset: offset + PAGE_SIZE }),
    }),
  );
}

export function offsetOf(query) {
  const value = Number.parseInt(query.get("offset") || "0", 10);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** A definition list of [label, value] pairs, skipping undefined values. */
export function fields(pairs) {
  const dl = h("dl", { class: "fields" });
  for (const [label, value] of pairs) {
    if (value === undefined) continue;
    dl.append(h("div", { class: "field" }, h("dt", {}, label), h("dd", {}, value === null || value === "" ? h("span", { class: "muted" }, "—") : value)));
  }
  return dl;
}

export function formatRate(rate) {
  if (rate === null || rate === undefined) return "—";
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

export const WALLET_NAMES = { paytm: "Paytm", phonepe: "PhonePe", amazonpay: "Amazon Pay" };

export function methodCell(payment) {
  if (payment.method === "card" && payment.card) {
    return h("span", { class: "method" }, h("span", { class: "method-tag" }, payment.card.network || "card"), ` •••• ${payment.card.last4}`);
  }
  if (payment.method === "upi") return h("span", { class: "method" }, h("span", { class: "method-tag" }, "UPI"), payment.vpa ? ` ${payment.vpa}` : "");
  if (payment.method === "wallet") return h("span", { class: "method" }, h("span", { class: "method-tag" }, "Wallet"), payment.wallet ? ` ${WALLET_NAMES[payment.wallet] || payment.wallet}` : "");
  return payment.method || "—";
}
