import { api } from "../api.js";
import { badge, clear, dateTime, errorBox, h, mono } from "../dom.js";
import { formatMoney } from "../money.js";
import { dataTable, loading, offsetOf, PAGE_SIZE, pageHeader, routePager } from "../ui.js";

/** The columns every refund table shows (this page adds the payment). */
export const REFUND_COLUMNS = [
  { label: "Amount", cell: (r) => formatMoney(r.amount, r.currency), class: "num" },
  { label: "Status", cell: (r) => badge(r.status) },
  { label: "Reason", cell: (r) => r.reason || "—" },
  { label: "Created", cell: (r) => dateTime(r.created_at) },
  { label: "Processed", cell: (r) => dateTime(r.processed_at) },
];

export async function renderRefunds(view, { query }, ctx, app) {
  const offset = offsetOf(query);
  const results = h("section", { class: "panel panel-flush" }, loading());
  view.append(pageHeader("Refunds", "Every refund in this mode, newest first."), results);

  let page;
  try {
    page = await api.get("/api/v1/refunds", { limit: PAGE_SIZE, offset });
  } catch (error) {
    if (ctx.alive) clear(results, errorBox(error));
    return;
  }
  if (!ctx.alive) return;
  const items = page.items || [];
  clear(
    results,
    dataTable(
      [
        { label: "Refund", cell: (r) => mono(r.id) },
        {
          label: "Payment",
          cell: (r) => h("a", { href: `#/transactions/${encodeURIComponent(r.payment_id)}`, class: "mono" }, r.payment_id),
        },
        ...REFUND_COLUMNS,
      ],
      items,
      {
        testid: "refunds-table",
        rowTestid: "refund-row",
        rowId: (r) => r.id,
        href: (r) => `#/transactions/${encodeURIComponent(r.payment_id)}`,
        empty: "No refunds yet.",
        caption: "Refunds",
      },
    ),
    routePager(app, "refunds", offset, page),
  );
}
