import { api } from "../api.js";
import { badge, clear, dateTime, errorBox, h, mono } from "../dom.js";
import { dataTable, fields, loading, offsetOf, PAGE_SIZE, pageHeader, routePager } from "../ui.js";

function codeBadge(code) {
  if (code === null || code === undefined) return h("span", { class: "muted" }, "—");
  const tone = code >= 200 && code < 300 ? "good" : code >= 500 ? "bad" : "warn";
  return h("span", { class: `badge badge-${tone} badge-code` }, String(code));
}

function stamp() {
  return new Date().toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export async function renderWebhookLogs(view, { query }, ctx, app) {
  const offset = offsetOf(query);
  const status = h("span", { class: "refresh-note", "aria-live": "off" }, "Auto-refreshing every 3 s");
  const errors = h("div", { "aria-live": "polite" });
  const results = h("section", { class: "panel panel-flush" }, loading());
  view.append(pageHeader("Webhook logs", "Every delivery attempt to your webhook URL and endpoints, newest first.", status), errors, results);

  async function load() {
    let page;
    try {
      page = await api.get("/api/v1/webhooks", { limit: PAGE_SIZE, offset });
    } catch (error) {
      if (ctx.alive && error.status !== 401) clear(errors, errorBox(error));
      return;
    }
    if (!ctx.alive) return;
    clear(errors);
    status.textContent = `Auto-refreshing every 3 s · updated ${stamp()}`;
    const items = page.items || [];
    clear(
      results,
      dataTable(
        [
          {
            label: "Delivery",
            cell: (d) => h("a", { href: `#/webhook-logs/${encodeURIComponent(d.id)}`, class: "mono nowrap" }, d.id),
          },
          { label: "Event", cell: (d) => h("span", { class: "event-type" }, d.event_type) },
          { label: "Endpoint", cell: (d) => h("div", {}, h("div", { class: "url" }, d.url), h("div", { class: "muted small mono" }, d.endpoint_id)) },
          { label: "Status", cell: (d) => badge(d.status) },
          { label: "Attempts", cell: (d) => String(d.attempt_count ?? 0), class: "num" },
          { label: "Response", cell: (d) => codeBadge(d.response_code) },
          { label: "Last attempt", cell: (d) => dateTime(d.last_attempt_at) },
          { label: "Next retry", cell: (d) => dateTime(d.next_retry_at) },
        ],
        items,
        {
          testid: "webhook-log-table",
          rowTestid: "webhook-log-row",
          rowId: (d) => d.id,
          href: (d) => `#/webhook-logs/${encodeURIComponent(d.id)}`,
          empty: "No webhook deliveries yet. Set a webhook URL and send a test event from the Webhooks page.",
          caption: "Webhook deliveries",
        },
      ),
      routePager(app, "webhook-logs", offset, page),
    );
  }

  await load();
  ctx.every(3000, load);
}

export async function renderWebhookDetail(view, { id }, ctx, app) {
  const back = h("a", { href: "#/webhook-logs", class: "back" }, "← Webhook logs");
  const retryButton = h("button", { type: "button", class: "btn btn-primary", testid: "webhook-retry", disabled: true }, "Retry delivery");
  const note = h("span", { class: "refresh-note" });
  const message = h("div", { testid: "webhook-retry-result", "aria-live": "polite" });
  const detail = h("section", { class: "panel", testid: "webhook-detail" }, loading());
  const attempts = h("section", { class: "panel" });
  view.append(back, pageHeader("Webhook delivery", null, note, retryButton), message, detail, attempts);
  app.setTitle(`Delivery ${id}`);

  let delivery = null;

  async function load() {
    let answer;
    try {
      answer = await api.get(`/api/v1/webhooks/${encodeURIComponent(id)}`);
    } catch (error) {
      if (!ctx.alive || error.status === 401) return;
      if (error.status === 404) {
        detail.removeAttribute("data-test-id");
        clear(detail, h("div", { class: "not-found", testid: "webhook-not-found", role: "alert" }, h("h2", {}, "Delivery not found"), h("p", {}, "No delivery ", mono(id), " exists for this account and mode.")));
        attempts.remove();
        retryButton.remove();
        return;
      }
      clear(message, errorBox(error));
      return;
    }
    if (!ctx.alive) return;
    delivery = answer;
    draw();
  }

  function draw() {
    const d = delivery;
    retryButton.disabled = false;
    note.textContent = d.status === "pending" ? `Pending · refreshing every 2 s · updated ${stamp()}` : "";
    clear(
      detail,
      h("div", { class: "detail-head" }, h("div", {}, h("div", { class: "detail-amount event-type" }, d.event_type), mono(d.id)), badge(d.status, "webhook-status")),
      fields([
        ["URL", h("span", { class: "url" }, d.url)],
        ["Endpoint", mono(d.endpoint_id)],
        ["Event id", mono(d.event_id)],
        ["Attempts (this run)", h("span", { testid: "webhook-attempt-count" }, String(d.attempt_count ?? 0))],
        ["Last response", codeBadge(d.response_code)],
        ["Last attempt", dateTime(d.last_attempt_at)],
        ["Next retry", dateTime(d.next_retry_at)],
        ["Mode", d.mode],
        ["Created", dateTime(d.created_at)],
        ["Updated", dateTime(d.updated_at)],
      ]),
    );
    // Stored oldest first; a retry restarts the numbering, which starts a new run. Shown newest first.
    let run = 1;
    let previous = 0;
    const list = (d.attempts || [])
      .map((a) => {
        if (a.number <= previous) run += 1;
        previous = a.number;
        return { ...a, run };
      })
      .reverse();
    clear(
      attempts,
      h("h2", {}, `Attempts (${list.length})`),
      list.length
        ? h(
            "ol",
            { class: "attempts", reversed: true },
            list.map((a) =>
              h(
                "li",
                { class: "attempt", testid: "webhook-attempt", "data-number": a.number },
                h(
                  "div",
                  { class: "attempt-head" },
                  h("strong", {}, `Attempt ${a.number}`),
                  run > 1 ? h("span", { class: "muted small" }, a.run > 1 ? `retry ${a.run - 1}` : "first run") : null,
                  codeBadge(a.response_code),
                  dateTime(a.at),
                  h("span", { class: "muted" }, `${a.duration_ms ?? "?"} ms`),
                ),
                a.error ? h("div", { class: "attempt-error" }, h("strong", {}, "Error: "), a.error) : null,
                a.response_body ? h("pre", { class: "attempt-body" }, a.response_body) : h("p", { class: "muted small" }, "No response body."),
              ),
            ),
          )
        : h("p", { class: "muted" }, d.status === "pending" ? "The first attempt is on its way…" : "No attempts recorded."),
    );
  }

  retryButton.addEventListener("click", async () => {
    retryButton.disabled = true;
    clear(message);
    try {
      const answer = await api.post(`/api/v1/webhooks/${encodeURIComponent(id)}/retry`, {});
      if (!ctx.alive) return;
      if (answer && answer.id) {
        delivery = answer;
        draw();
      }
      message.append(h("div", { class: "alert alert-success" }, "Retry started: a new attempt follows shortly."));
      await load();
    } catch (error) {
      if (ctx.alive && error.status !== 401) message.append(errorBox(error));
    } finally {
      if (delivery) retryButton.disabled = false;
    }
  });

  await load();
  ctx.every(2000, async () => {
    if (delivery && delivery.status === "pending") await load();
  });
}
