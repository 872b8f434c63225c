// Customers (issue 18): search by email or external id, a list, and a read-only detail with the
// customer's saved payment methods and payments. Everything comes from the merchant API
// (/api/v1/customers…), called with the dashboard's session like every other page.

import { api } from "../api.js";
import { badge, clear, dateTime, errorBox, h, mono } from "../dom.js";
import { formatMoney } from "../money.js";
import { dataTable, fields, loading, methodCell, offsetOf, PAGE_SIZE, pageHeader, pager } from "../ui.js";

const SEARCH_BY = [
  ["email", "Email"],
  ["external_id", "External id"],
];

const NETWORK_NAMES = { visa: "Visa", mastercard: "Mastercard", amex: "Amex", rupay: "RuPay" };

function customerHref(id) {
  return `#/customers/${encodeURIComponent(id)}`;
}

export async function renderCustomers(view, { query }, ctx, app) {
  const offset = offsetOf(query);
  const by = SEARCH_BY.find(([name]) => query.get(name)) || null;
  const term = by ? query.get(by[0]) : "";

  const message = h("div", { "aria-live": "polite" });
  const field = h(
    "select",
    { id: "customers-search-by", testid: "customers-search-by" },
    SEARCH_BY.map(([value, label]) => h("option", { value, selected: by ? by[0] === value : value === "email" }, label)),
  );
  const input = h("input", {
    id: "customers-search",
    testid: "customers-search",
    type: "search",
    value: term,
    placeholder: "name@example.com or your own id",
    autocomplete: "off",
    spellcheck: "false",
  });
  const search = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Search customers" },
    h("div", { class: "control" }, h("label", { for: "customers-search-by" }, "Search by"), field),
    h("div", { class: "control control-grow" }, h("label", { for: "customers-search" }, "Exact value"), input),
    h(
      "div",
      { class: "control control-actions" },
      h("button", { type: "submit", class: "btn btn-primary", testid: "customers-search-submit" }, "Search"),
      h("button", { type: "button", class: "btn", testid: "customers-clear", onclick: () => app.navigate("customers") }, "Clear"),
    ),
  );
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    clear(message);
    const value = input.value.trim();
    if (!value) {
      app.navigate("customers");
      return;
    }
    if (field.value === "email" && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
      message.append(errorBox({ description: "Enter a whole email address, like name@example.com: the search is exact." }));
      input.focus();
      return;
    }
    app.navigate("customers", { [field.value]: value });
  });

  const results = h("section", { class: "panel panel-flush" }, loading());
  view.append(
    pageHeader("Customers", "The payers you saved in this mode, newest first. Searches match a whole email (any case) or external id."),
    h("div", { class: "toolbar" }, search),
    message,
    results,
  );

  const params = { limit: PAGE_SIZE, offset };
  if (by) params[by[0]] = term;
  let page;
  try {
    page = await api.get("/api/v1/customers", params);
  } catch (error) {
    if (ctx.alive) clear(results, errorBox(error));
    return;
  }
  if (!ctx.alive) return;
  const go = (next) => app.navigate("customers", { ...(by ? { [by[0]]: term } : {}), offset: next || "" });
  clear(
    results,
    by
      ? h("div", { class: "panel-head panel-pad" }, h("strong", {}, `Customers whose ${by[1].toLowerCase()} is ${term}`), h("a", { href: "#/customers" }, "Show all customers"))
      : null,
    dataTable(
      [
        { label: "Customer", cell: (c) => h("a", { href: customerHref(c.id), class: "mono nowrap" }, c.id) },
        { label: "Name", cell: (c) => c.name || "—" },
        { label: "Email", cell: (c) => c.email || "—" },
        { label: "External id", cell: (c) => (c.external_id ? mono(c.external_id) : "—") },
        { label: "Created", cell: (c) => dateTime(c.created_at) },
      ],
      page.items || [],
      {
        testid: "customers-table",
        rowTestid: "customer-row",
        rowId: (c) => c.id,
        href: (c) => customerHref(c.id),
        empty: by ? "No customer matches." : "No customers yet. Create them with POST /api/v1/customers.",
        caption: "Customers",
      },
    ),
    h(
      "div",
      { class: "panel-pad" },
      pager({
        offset,
        count: (page.items || []).length,
        hasMore: page.has_more,
        prefix: "customers",
        onPrev: () => go(Math.max(0, offset - PAGE_SIZE)),
        onNext: () => go(offset + PAGE_SIZE),
      }),
    ),
  );
}

// ---- customer detail -----------------------------------------------------------------------------

/** A fingerprint is a keyed hash: the first characters are enough to tell two cards apart on screen. */
function shortFingerprint(value) {
  if (!value) return "—";
  return mono(value.length > 12 ? `${value.slice(0, 12)}…` : value, { class: "mono nowrap", title: value });
}

function methodFacts(m) {
  if (m.type === "card" && m.card) {
    return h(
      "span",
      { class: "method" },
      h("span", { class: "method-tag" }, NETWORK_NAMES[m.card.network] || m.card.network),
      ` •••• ${m.card.last4}`,
    );
  }
  if (m.type === "upi" && m.upi) return h("span", { class: "method" }, h("span", { class: "method-tag" }, "UPI"), ` ${m.upi.vpa}`);
  return m.type;
}

function preferencesText(p) {
  if (!p) return null;
  const channels = [p.email ? "email" : null, p.sms ? "SMS" : null].filter(Boolean);
  return `${channels.length ? channels.join(" and ") : "no messages"} · language ${p.language || "—"}`;
}

function metadataText(metadata) {
  const entries = Object.entries(metadata || {});
  if (!entries.length) return null;
  return h("ul", { class: "plain-list" }, entries.map(([key, value]) => h("li", {}, mono(key), ` ${String(value)}`)));
}

export async function renderCustomerDetail(view, { id, query }, ctx, app) {
  const offset = offsetOf(query);
  const back = h("a", { href: "#/customers", class: "back" }, "← Customers");
  const detail = h("section", { class: "panel", testid: "customer-detail" }, loading());
  const methods = h("section", { class: "panel panel-flush", testid: "customer-payment-methods" });
  const payments = h("section", { class: "panel panel-flush", testid: "customer-payments" });
  view.append(back, pageHeader("Customer", null), detail, methods, payments);
  app.setTitle(`Customer ${id}`);

  const path = `/api/v1/customers/${encodeURIComponent(id)}`;
  const [customerAnswer, methodsAnswer, paymentsAnswer] = await Promise.allSettled([
    api.get(path),
    api.get(`${path}/payment_methods`, { limit: 100 }),
    api.get(`${path}/payments`, { limit: PAGE_SIZE, offset }),
  ]);
  if (!ctx.alive) return;
  if (customerAnswer.status === "rejected") {
    const error = customerAnswer.reason;
    methods.remove();
    payments.remove();
    if (error.status === 404) {
      detail.removeAttribute("data-test-id");
      clear(
        detail,
        h(
          "div",
          { class: "not-found", testid: "customer-not-found", role: "alert" },
          h("h2", {}, "Customer not found"),
          h("p", {}, "No customer ", mono(id), " exists for this account and mode (or it was deleted)."),
        ),
      );
    } else {
      clear(detail, errorBox(error));
    }
    return;
  }

  const c = customerAnswer.value;
  clear(
    detail,
    h(
      "div",
      { class: "detail-head" },
      h("div", {}, h("div", { class: "detail-amount", testid: "customer-name" }, c.name || c.email || c.id), mono(c.id)),
    ),
    fields([
      ["Customer id", mono(c.id)],
      ["Name", c.name || null],
      ["Email", c.email || null],
      ["Phone", c.phone || null],
      ["External id", c.external_id ? mono(c.external_id) : null],
      ["Description", c.description || null],
      ["Default payment method", c.default_payment_method ? mono(c.default_payment_method) : null],
      ["Messages", preferencesText(c.preferences)],
      ["Metadata", metadataText(c.metadata)],
      ["Mode", c.mode],
      ["Created", dateTime(c.created_at)],
      ["Updated", dateTime(c.updated_at)],
    ]),
  );

  clear(
    methods,
    h("h2", { class: "panel-pad" }, "Payment methods"),
    methodsAnswer.status === "rejected"
      ? h("div", { class: "panel-pad" }, errorBox(methodsAnswer.reason))
      : dataTable(
          [
            { label: "Method", cell: methodFacts },
            {
              label: "Expiry",
              cell: (m) => (m.card ? `${String(m.card.expiry_month).padStart(2, "0")}/${m.card.expiry_year}` : "—"),
            },
            { label: "Fingerprint", cell: (m) => shortFingerprint(m.card && m.card.fingerprint) },
            { label: "Country", cell: (m) => (m.card && m.card.country) || "—" },
            {
              label: "Default",
              cell: (m) => (m.id === c.default_payment_method ? h("span", { class: "badge badge-info", testid: "default-payment-method" }, "Default") : ""),
            },
            { label: "Mandate", cell: (m) => (m.mandate ? badge(m.mandate.status) : h("span", { class: "muted" }, "on session only")) },
            { label: "Id", cell: (m) => mono(m.id, { class: "mono nowrap" }) },
            { label: "Saved", cell: (m) => dateTime(m.created_at) },
          ],
          methodsAnswer.value.items || [],
          {
            testid: "payment-methods-table",
            rowTestid: "payment-method-row",
            rowId: (m) => m.id,
            empty: "No saved payment methods.",
            caption: "Saved payment methods",
          },
        ),
  );

  if (paymentsAnswer.status === "rejected") {
    clear(payments, h("h2", { class: "panel-pad" }, "Payments"), h("div", { class: "panel-pad" }, errorBox(paymentsAnswer.reason)));
    return;
  }
  const page = paymentsAnswer.value;
  const go = (next) => app.navigate(`customers/${encodeURIComponent(id)}`, { offset: next || "" });
  clear(
    payments,
    h("h2", { class: "panel-pad" }, "Payments"),
    dataTable(
      [
        { label: "Payment", cell: (p) => h("a", { href: `#/transactions/${encodeURIComponent(p.id)}`, class: "mono nowrap" }, p.id) },
        { label: "Amount", cell: (p) => formatMoney(p.amount, p.currency), class: "num" },
        { label: "Status", cell: (p) => badge(p.status) },
        { label: "Method", cell: methodCell },
        { label: "Saved method", cell: (p) => (p.payment_method ? mono(p.payment_method) : "—") },
        { label: "Created", cell: (p) => dateTime(p.created_at) },
      ],
      page.items || [],
      {
        testid: "customer-payments-table",
        rowTestid: "customer-payment-row",
        rowId: (p) => p.id,
        href: (p) => `#/transactions/${encodeURIComponent(p.id)}`,
        empty: "No payments for this customer yet.",
        caption: "Payments of this customer",
      },
    ),
    h(
      "div",
      { class: "panel-pad" },
      pager({
        offset,
        count: (page.items || []).length,
        hasMore: page.has_more,
        prefix: "customer-payments",
        onPrev: () => go(Math.max(0, offset - PAGE_SIZE)),
        onNext: () => go(offset + PAGE_SIZE),
      }),
    ),
  );
}
