import { api } from "../api.js";
import { overviewChart } from "../chart.js";
import { badge, clear, dateTime, errorBox, h, mono } from "../dom.js";
import { formatMoney } from "../money.js";
import { dataTable, formatRate, loading, methodCell, pageHeader } from "../ui.js";

function card(label, value, testid, sub) {
  return h(
    "div",
    { class: "stat" },
    h("div", { class: "stat-label" }, label),
    h("div", { class: "stat-value", testid }, value),
    sub ? h("div", { class: "stat-sub" }, sub) : null,
  );
}

export async function renderOverview(view, _params, ctx) {
  const body = h("div", {}, loading());
  const recent = h("section", { class: "panel" }, h("h2", {}, "Recent payments"), loading());
  view.append(pageHeader("Overview", "The last 30 days of payments in this mode."), body, recent);

  api
    .get("/api/v1/payments", { limit: 5 })
    .then((page) => {
      if (!ctx.alive) return;
      clear(
        recent,
        h("div", { class: "panel-head" }, h("h2", {}, "Recent payments"), h("a", { href: "#/transactions" }, "View all")),
        dataTable(
          [
            { label: "Payment", cell: (p) => mono(p.id) },
            { label: "Amount", cell: (p) => formatMoney(p.amount, p.currency), class: "num" },
            { label: "Status", cell: (p) => badge(p.status) },
            { label: "Method", cell: methodCell },
            { label: "Created", cell: (p) => dateTime(p.created_at) },
          ],
          page.items,
          { href: (p) => `#/transactions/${encodeURIComponent(p.id)}`, empty: "No payments yet.", caption: "Recent payments" },
        ),
      );
    })
    .catch((error) => ctx.alive && error.status !== 401 && clear(recent, h("h2", {}, "Recent payments"), errorBox(error)));

  let data;
  try {
    data = await api.get("/api/v1/dashboard/overview", { days: 30 });
  } catch (error) {
    if (ctx.alive) clear(body, errorBox(error));
    return;
  }
  if (!ctx.alive) return;
  const totals = data.totals || {};
  const currency = data.currency || "INR";
  const chartWrap = h("div", { class: "chart-wrap" });
  const drawChart = () => {
    const width = chartWrap.clientWidth || 760;
    clear(chartWrap, overviewChart(data.daily || [], currency, { "data-test-id": "overview-chart" }, width));
  };
  clear(
    body,
    h(
      "div",
      { class: "stats" },
      card("Transactions", String(totals.count ?? 0), "overview-count", `${totals.succeeded ?? 0} succeeded · ${totals.failed ?? 0} failed · ${totals.pending ?? 0} pending`),
      card("Volume", formatMoney(totals.amount ?? 0, currency), "overview-amount", "Successful, captured and refunded payments"),
      card("Success rate", formatRate(totals.success_rate), "overview-success-rate", totals.success_rate == null ? "No payments in the period" : "Payments that succeeded"),
    ),
    h(
      "section",
      { class: "panel" },
      h("div", { class: "panel-head" }, h("h2", {}, `Daily volume and success rate`), h("span", { class: "muted" }, `Last ${data.days || 30} days (UTC)`)),
      chartWrap,
    ),
  );
  drawChart();
  // Redraw at the new width when the window is resized (text stays at its size).
  let timer = null;
  let lastWidth = chartWrap.clientWidth;
  const onResize = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (ctx.alive && chartWrap.clientWidth !== lastWidth) {
        lastWidth = chartWrap.clientWidth;
        drawChart();
      }
    }, 150);
  };
  window.addEventListener("resize", onResize);
  ctx.onCleanup(() => {
    clearTimeout(timer);
    window.removeEventListener("resize", onResize);
  });
}
