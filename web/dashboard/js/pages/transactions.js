import { api, uuid } from "../api.js";
import { badge, clear, dateTime, errorBox, h, mono } from "../dom.js";
import { formatMoney, minorToDecimal, parseMajor } from "../money.js";
import { REFUND_COLUMNS } from "./refunds.js";
import { dataTable, fields, loading, methodCell, offsetOf, PAGE_SIZE, pageHeader, pager, WALLET_NAMES } from "../ui.js";

const STATUSES = ["pending", "success", "failed", "captured", "refunded", "canceled"];
const METHODS = [
  ["upi", "UPI"],
  ["card", "Card"],
  ["wallet", "Wallet"],
];

function select(id, testid, label, options, value) {
  return h(
    "div",
    { class: "control" },
    h("label", { for: id }, label),
    h(
      "select",
      { id, testid },
      h("option", { value: "" }, "All"),
      options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
    ),
  );
}

function input(id, testid, label, attrs) {
  return h("div", { class: "control" }, h("label", { for: id }, label), h("input", { id, testid, ...attrs }));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function renderTransactions(view, { query }, ctx, app) {
  const offset = offsetOf(query);
  const order = query.get("order") || "";
  const filters = {
    status: query.get("status") || "",
    method: query.get("method") || "",
    from: query.get("from") || "",
    to: query.get("to") || "",
  };

  const message = h("div", { "aria-live": "polite" });
  const search = h(
    "form",
    { class: "search", role: "search" },
    h("label", { for: "tx-search", class: "sr-only" }, "Search by payment or order id"),
    h("input", {
      id: "tx-search",
      testid: "transactions-search",
      type: "search",
      placeholder: "Search by pay_… or order_… id",
      value: order,
      autocomplete: "off",
      spellcheck: "false",
    }),
    h("button", { type: "submit", class: "btn" }, "Search"),
  );
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = search.querySelector("input").value.trim();
    clear(message);
    if (!id) {
      app.navigate("transactions", filters);
    } else if (id.startsWith("pay_")) {
      app.navigate(`transactions/${encodeURIComponent(id)}`);
    } else if (id.startsWith("order_")) {
      app.navigate("transactions", { order: id });
    } else {
      message.append(errorBox({ description: "Enter a payment id (pay_…) or an order id (order_…)." }));
    }
  });

  const filterForm = h(
    "form",
    { class: "filters", "aria-label": "Filter payments" },
    select("tx-status", "transactions-filter-status", "Status", STATUSES.map((st) => [st, st]), filters.status),
    select("tx-method", "transactions-filter-method", "Method", METHODS, filters.method),
    input("tx-from", "transactions-filter-from", "From (UTC)", { type: "date", value: filters.from }),
    input("tx-to", "transactions-filter-to", "To (UTC, inclusive)", { type: "date", value: filters.to }),
    h(
      "div",
      { class: "control control-actions" },
      h("button", { type: "submit", class: "btn btn-primary", testid: "transactions-apply" }, "Apply"),
      h("button", { type: "button", class: "btn", testid: "transactions-clear", onclick: () => app.navigate("transactions") }, "Clear"),
    ),
  );
  filterForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clear(message);
    const next = {
      status: filterForm.querySelector("#tx-status").value,
      method: filterForm.querySelector("#tx-method").value,
      from: filterForm.querySelector("#tx-from").value,
      to: filterForm.querySelector("#tx-to").value,
    };
    for (const key of ["from", "to"]) {
      if (next[key] && !DATE.test(next[key])) {
        message.append(errorBox({ description: `The ${key} date must be YYYY-MM-DD.` }));
        return;
      }
    }
    if (next.from && next.to && next.from > next.to) {
      message.append(errorBox({ description: "The from date is after the to date." }));
      return;
    }
    app.navigate("transactions", next);
  });

  const results = h("section", { class: "panel panel-flush" }, loading());
  view.append(
    pageHeader("Transactions", "Payments in this mode, newest first."),
    h("div", { class: "toolbar" }, search, order ? null : filterForm),
    message,
    results,
  );

  const path = order ? `/api/v1/orders/${encodeURIComponent(order)}/payments` : "/api/v1/payments";
  // `to` is a date; the API compares created_at with it as a prefix, so the whole day is included.
  const params = order ? { limit: PAGE_SIZE, offset } : { limit: PAGE_SIZE, offset, ...filters };
  let page;
  try {
    page = await api.get(path, params);
  } catch (error) {
    if (!ctx.alive) return;
    const notFound = error.status === 404 && order;
    clear(results, errorBox(notFound ? { code: error.code, description: `Order ${order} was not found.` } : error));
    return;
  }
  if (!ctx.alive) return;
  const go = (nextOffset) => app.navigate("transactions", { ...(order ? { order } : filters), offset: nextOffset || "" });
  const active = order ? `Payments of order ${order}` : null;
  clear(
    results,
    active
      ? h("div", { class: "panel-head panel-pad" }, h("strong", {}, active), h("a", { href: "#/transactions" }, "Show all payments"))
      : null,
    dataTable(
      [
        { label: "Payment", cell: (p) => h("a", { href: `#/transactions/${encodeURIComponent(p.id)}`, class: "mono nowrap" }, p.id) },
        { label: "Amount", cell: (p) => formatMoney(p.amount, p.currency), class: "num" },
        { label: "Status", cell: (p) => badge(p.status) },
        { label: "Method", cell: methodCell },
        { label: "Order", cell: (p) => (p.order_id ? mono(p.order_id) : p.payment_intent_id ? mono(p.payment_intent_id) : "—") },
        { label: "Created", cell: (p) => dateTime(p.created_at) },
      ],
      page.items || [],
      {
        testid: "transactions-table",
        rowTestid: "transaction-row",
        rowId: (p) => p.id,
        href: (p) => `#/transactions/${encodeURIComponent(p.id)}`,
        empty: order || Object.values(filters).some(Boolean) ? "No payments match." : "No payments yet.",
        caption: "Payments",
      },
    ),
    h(
      "div",
      { class: "panel-pad" },
      pager({
        offset,
        count: (page.items || []).length,
        hasMore: page.has_more,
        prefix: "transactions",
        onPrev: () => go(Math.max(0, offset - PAGE_SIZE)),
        onNext: () => go(offset + PAGE_SIZE),
      }),
    ),
  );
}

// ---- payment detail ------------------------------------------------------------------------------

function refundable(payment) {
  if (!["success", "captured"].includes(payment.status)) return 0;
  const total = payment.captured ? payment.amount_captured : payment.amount;
  return Math.max(0, total - (payment.amount_refunded || 0));
}

export async function renderPaymentDetail(view, { id }, ctx, app) {
  const back = h("a", { href: "#/transactions", class: "back" }, "← Transactions");
  const detail = h("section", { class: "panel", testid: "payment-detail" }, loading());
  const refunds = h("section", { class: "panel" });
  view.append(back, pageHeader("Payment", null), detail, refunds);
  app.setTitle(`Payment ${id}`);

  let payment;
  try {
    payment = await api.get(`/api/v1/payments/${encodeURIComponent(id)}`);
  } catch (error) {
    if (!ctx.alive) return;
    if (error.status === 404) {
      detail.removeAttribute("data-test-id");
      clear(
        detail,
        h(
          "div",
          { class: "not-found", testid: "payment-not-found", role: "alert" },
          h("h2", {}, "Payment not found"),
          h("p", {}, "No payment ", mono(id), " exists for this account and mode."),
          h("p", { class: "muted small" }, error.description),
        ),
      );
    } else {
      clear(detail, errorBox(error));
    }
    refunds.remove();
    return;
  }
  if (!ctx.alive) return;

  const state = { payment, refundList: null, refundError: null };
  const result = h("div", { testid: "refund-result", class: "refund-result", "aria-live": "polite" });
  const form = refundForm(state, result, ctx, () => refresh());
  // The form stays in the page across refreshes: re-inserting it would take the focus (and the
  // caret) from a merchant typing an amount; only the list above it is redrawn.
  const refundList = h("div", {});
  clear(refunds, h("h2", {}, "Refunds"), refundList, h("h3", {}, "Refund this payment"), form.element, result);

  function draw() {
    const p = state.payment;
    clear(
      detail,
      h(
        "div",
        { class: "detail-head" },
        h("div", {}, h("div", { class: "detail-amount" }, formatMoney(p.amount, p.currency)), mono(p.id)),
        badge(p.status, "payment-status"),
      ),
      p.error_code
        ? h("div", { class: "alert alert-error" }, h("strong", {}, `${p.error_code}: `), p.error_description || "")
        : null,
      fields([
        ["Payment id", mono(p.id)],
        ["Status", p.status],
        ["Amount", formatMoney(p.amount, p.currency)],
        ["Currency", p.currency],
        ["Order", p.order_id ? h("a", { href: `#/transactions?order=${encodeURIComponent(p.order_id)}` }, mono(p.order_id)) : null],
        ["Payment intent", p.payment_intent_id ? mono(p.payment_intent_id) : undefined],
        ["Method", p.method],
        ["UPI VPA", p.method === "upi" ? p.vpa : undefined],
        ["Wallet", p.method === "wallet" ? WALLET_NAMES[p.wallet] || p.wallet : undefined],
        ["Wallet answer", p.wallet_authorization ? h("span", {}, `${p.wallet_authorization.status}, `, dateTime(p.wallet_authorization.at)) : undefined],
        ["Card", p.card ? `${p.card.network} •••• ${p.card.last4}` : undefined],
        ["Card expiry", p.card ? `${String(p.card.expiry_month).padStart(2, "0")}/${p.card.expiry_year}` : undefined],
        ["Card holder", p.card ? p.card.holder_name : undefined],
        ["Captured", p.captured ? "yes" : "no"],
        ["Amount captured", formatMoney(p.amount_captured || 0, p.currency)],
        ["Captured at", p.captured_at ? dateTime(p.captured_at) : null],
        ["Amount refunded", formatMoney(p.amount_refunded || 0, p.currency)],
        ["Error code", p.error_code || null],
        ["Error description", p.error_description || null],
        ["Mode", p.mode],
        ["Created", dateTime(p.created_at)],
        ["Updated", dateTime(p.updated_at)],
      ]),
      riskAssessment(p),
      processing(p),
    );

    const items = state.refundList ? state.refundList.items || [] : [];
    const left = refundable(p);
    form.update(p, left);
    clear(
      refundList,
      state.refundError
        ? errorBox(state.refundError)
        : state.refundList
          ? dataTable(
              [
                { label: "Refund", cell: (r) => mono(r.id) },
                ...REFUND_COLUMNS,
              ],
              items,
              { rowTestid: "refund-row", rowId: (r) => r.id, empty: "No refunds for this payment.", caption: "Refunds of this payment" },
            )
          : loading(),
    );
  }

  async function refresh() {
    const [paymentAnswer, refundAnswer] = await Promise.allSettled([
      api.get(`/api/v1/payments/${encodeURIComponent(id)}`),
      api.get(`/api/v1/payments/${encodeURIComponent(id)}/refunds`, { limit: 100 }),
    ]);
    if (!ctx.alive) return;
    if (paymentAnswer.status === "fulfilled") state.payment = paymentAnswer.value;
    if (refundAnswer.status === "fulfilled") {
      state.refundList = refundAnswer.value;
      state.refundError = null;
    } else if (refundAnswer.reason.status !== 401) {
      state.refundError = refundAnswer.reason;
    }
    draw();
  }

  draw();
  await refresh();
  // While the payment or one of its refunds is still settling, keep the page current.
  ctx.every(2000, async () => {
    const settling =
      state.payment.status === "pending" || (state.refundList?.items || []).some((r) => r.status === "pending");
    if (settling && !form.busy()) await refresh();
  });
}

// Where the payment went and why: every connector call, then each attempt's routing trace in words.
function processing(p) {
  const attempts = p.attempts || [];
  if (!attempts.length) return null;
  const connectorCell = (a) => (a.merchant_connector_id ? h("span", {}, `${a.connector} `, mono(a.merchant_connector_id)) : a.connector);
  return h(
    "div",
    { class: "processing", testid: "payment-processing" },
    h("h3", {}, "Attempts"),
    dataTable(
      [
        { label: "Attempt", cell: (a) => (a.failover ? `${a.attempt} (failover)` : String(a.attempt)) },
        { label: "Connector", cell: connectorCell },
        { label: "Outcome", cell: (a) => badge(a.outcome) },
        { label: "Provider code", cell: (a) => (a.provider_code ? mono(a.provider_code) : "—") },
        { label: "Provider message", cell: (a) => a.provider_message || "—" },
        { label: "Reference", cell: (a) => (a.provider_reference ? mono(a.provider_reference) : "—") },
        { label: "Latency", cell: (a) => `${a.latency_ms} ms`, class: "num" },
        { label: "At", cell: (a) => dateTime(a.at) },
      ],
      attempts,
      { rowTestid: "attempt-row", caption: "Connector calls of this payment", empty: "No connector calls yet." },
    ),
    h("h3", {}, "Routing"),
    (p.routing || []).map((trace) =>
      h(
        "div",
        { class: "routing-trace", testid: "routing-trace" },
        h("strong", {}, `Attempt ${trace.attempt}${trace.config_version ? ` · rules version ${trace.config_version}` : ""}`),
        h("ol", {}, (trace.steps || []).map((step) => h("li", {}, step))),
      ),
    ),
  );
}

// The risk check ran before any connector: its score, level, decision and what made it, and the
// signals behind the score. Payments made before risk (and verifications) have `risk: null`.
const LEVEL_TONES = { normal: "good", elevated: "warn", highest: "bad" };
const ACTION_TONES = { none: "neutral", allow: "good", block: "bad", review: "warn", request_3ds: "info" };
const ACTION_WORDS = { none: "none", allow: "allow", block: "block", review: "review", request_3ds: "request 3-D Secure" };

function riskDecider(risk) {
  if (risk.list_entry) {
    const entry = risk.list_entry;
    return h("span", {}, `${entry.list} list: ${entry.type} `, mono(entry.value), " ", mono(entry.id, { class: "mono muted" }));
  }
  if (risk.rule) {
    return h(
      "span",
      {},
      `rule “${risk.rule.name}” `,
      risk.rule.default ? badge("default", "risk-rule-default", "info") : null,
      " ",
      mono(risk.rule.id, { class: "mono muted" }),
    );
  }
  return null; // no rule and no list entry matched: the payment went ahead
}

function riskAssessment(p) {
  const risk = p.risk;
  if (!risk) return null;
  // a DOM node has one place: the alert and the field each get their own
  const decider = riskDecider(risk);
  const blocked = risk.action === "block";
  return h(
    "div",
    { class: `risk${blocked ? " risk-blocked" : ""}`, testid: "payment-risk" },
    h("h3", {}, "Risk"),
    blocked
      ? h(
          "div",
          { class: "alert alert-error", role: "alert", testid: "risk-blocked" },
          h("strong", {}, "Blocked by risk: "),
          riskDecider(risk) || "blocked",
          h("p", { class: "small" }, "No connector was called."),
        )
      : null,
    fields([
      [
        "Score",
        h(
          "span",
          { class: "risk-score" },
          h("strong", { testid: "risk-score" }, String(risk.score)),
          h("span", { class: "muted" }, " / 100 "),
          badge(risk.level, "risk-level", LEVEL_TONES[risk.level] || "neutral"),
        ),
      ],
      ["Action", badge(ACTION_WORDS[risk.action] || risk.action, "risk-action", ACTION_TONES[risk.action] || "neutral")],
      ["Decided by", decider ? h("span", { testid: "risk-decided-by" }, decider) : h("span", { class: "muted", testid: "risk-decided-by" }, "no rule or list entry matched")],
      ["Assessed", dateTime(risk.assessed_at)],
    ]),
    dataTable(
      [
        { label: "Signal", cell: (sig) => mono(sig.name) },
        { label: "Points", cell: (sig) => String(sig.points), class: "num" },
        { label: "Detail", cell: (sig) => sig.detail || "—" },
      ],
      risk.signals || [],
      { testid: "risk-signals", rowTestid: "risk-signal-row", caption: "Signals behind the risk score", empty: "No risk signals" },
    ),
  );
}

function refundForm(state, result, ctx, refresh) {
  let busy = false;
  const amount = h("input", {
    id: "refund-amount",
    testid: "refund-amount",
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    "aria-describedby": "refund-hint",
  });
  const reason = h("input", { id: "refund-reason", testid: "refund-reason", type: "text", maxlength: 255, autocomplete: "off" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", testid: "refund-submit" }, "Refund");
  const hint = h("p", { id: "refund-hint", class: "muted small" });
  const element = h(
    "form",
    { class: "refund-form", novalidate: true },
    h("div", { class: "control" }, h("label", { for: "refund-amount" }, "Amount"), amount),
    h("div", { class: "control control-grow" }, h("label", { for: "refund-reason" }, "Reason (optional)"), reason),
    h("div", { class: "control control-actions" }, submit),
    hint,
  );
  let lastStatus = null;
  // Once the merchant has typed an amount, a refresh never replaces it: between the click's
  // mousedown (focus leaves the field) and the submit, a late refresh used to put the full
  // refundable amount back, and the submit refunded that instead of what was typed.
  let edited = false;
  amount.addEventListener("input", () => (edited = true));

  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    const p = state.payment;
    let minor;
    try {
      minor = parseMajor(amount.value, p.currency);
    } catch (error) {
      clear(result, errorBox({ description: error.message }));
      amount.focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    submit.textContent = "Refunding…";
    clear(result, loading("Creating the refund…"));
    const body = { amount: minor };
    if (reason.value.trim()) body.reason = reason.value.trim();
    try {
      const refund = await api.post(`/api/v1/payments/${encodeURIComponent(p.id)}/refunds`, body, {
        headers: { "Idempotency-Key": uuid() },
      });
      if (!ctx.alive) return;
      clear(
        result,
        h(
          "div",
          { class: "alert alert-success", "data-refund-id": refund.id },
          h("strong", {}, "Refund created: "),
          mono(refund.id),
          ` · ${formatMoney(refund.amount, refund.currency)} · `,
          badge(refund.status),
        ),
      );
      amount.value = "";
      reason.value = "";
      lastStatus = null;
      edited = false;
    } catch (error) {
      if (!ctx.alive || error.status === 401) return;
      clear(result, errorBox(error));
    } finally {
      busy = false;
      submit.disabled = false;
      submit.textContent = "Refund";
    }
    await refresh();
  });

  return {
    element,
    busy: () => busy,
    update(payment, left) {
      const can = left > 0;
      amount.disabled = !can;
      reason.disabled = !can;
      submit.disabled = !can || busy;
      const statusKey = `${payment.status}:${left}`;
      if (can) {
        hint.textContent = `Up to ${formatMoney(left, payment.currency)} can be refunded. Enter the amount in ${payment.currency}.`;
        if (lastStatus !== statusKey && !busy && !edited && document.activeElement !== amount) amount.value = minorToDecimal(left, payment.currency);
      } else if (["success", "captured", "refunded"].includes(payment.status)) {
        hint.textContent = "This payment has been fully refunded.";
      } else {
        hint.textContent = `A ${payment.status} payment cannot be refunded; only successful payments can.`;
      }
      lastStatus = statusKey;
    },
  };
}
