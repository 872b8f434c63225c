import { api } from "../api.js";
import { badge, clear, copyButton, dateTime, errorBox, h, mono } from "../dom.js";
import { dataTable, loading, pageHeader } from "../ui.js";

const MASK = "whsec_••••••••••••••••";

export async function renderWebhookSettings(view, _params, ctx, app) {
  // Each mode has its own URL and signing secret: this page shows and changes the session's mode's only.
  const mode = app?.session?.mode === "live" ? "live" : "test";
  const settingsPanel = h("section", { class: "panel" }, loading());
  const endpointsPanel = h("section", { class: "panel" }, h("h2", {}, "Other endpoints"), loading());
  view.append(
    pageHeader("Webhooks", "Where paygate sends events (payment.success, refund.processed, …) for this mode."),
    settingsPanel,
    endpointsPanel,
  );

  api
    .get("/api/v1/webhook_endpoints", { limit: 100 })
    .then((page) => {
      if (!ctx.alive) return;
      clear(
        endpointsPanel,
        h("h2", {}, "Other endpoints"),
        h("p", { class: "muted small" }, "Endpoints created through the API (POST /api/v1/webhook_endpoints) each have their own secret."),
        dataTable(
          [
            { label: "Endpoint", cell: (e) => mono(e.id) },
            { label: "URL", cell: (e) => h("span", { class: "url" }, e.url) },
            { label: "Events", cell: (e) => (e.enabled_events || []).join(", ") },
            { label: "Status", cell: (e) => badge(e.status) },
            { label: "Description", cell: (e) => e.description || "—" },
            { label: "Created", cell: (e) => dateTime(e.created_at) },
          ],
          page.items || [],
          { empty: "No other endpoints.", caption: "Webhook endpoints" },
        ),
      );
    })
    .catch((error) => ctx.alive && error.status !== 401 && clear(endpointsPanel, h("h2", {}, "Other endpoints"), errorBox(error)));

  let settings;
  try {
    settings = await api.get("/api/v1/dashboard/webhook_settings");
  } catch (error) {
    if (ctx.alive) clear(settingsPanel, errorBox(error));
    return;
  }
  if (!ctx.alive) return;

  // URL form.
  const url = h("input", {
    id: "webhook-url",
    testid: "webhook-url",
    type: "url",
    placeholder: "https://example.com/webhooks/paygate",
    value: settings.webhook_url || "",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "webhook-url-hint",
  });
  const save = h("button", { type: "submit", class: "btn btn-primary", testid: "webhook-url-save" }, "Save");
  const saveResult = h("div", { testid: "webhook-url-result", "aria-live": "polite" });
  const urlForm = h(
    "form",
    { class: "inline-form", novalidate: true },
    h("div", { class: "control control-grow" }, h("label", { for: "webhook-url" }, "Webhook URL"), url),
    h("div", { class: "control control-actions" }, save),
  );

  // Secret with a show toggle.
  let secret = settings.webhook_secret || "";
  const noSecretYet = h("p", { class: "muted small", testid: "webhook-secret-pending" }, "Created when you save a URL.");
  let shown = false;
  const secretEl = h("code", { class: "mono secret", testid: "webhook-secret" }, MASK);
  const toggle = h(
    "button",
    { type: "button", class: "btn btn-small", testid: "webhook-secret-toggle", "aria-pressed": "false" },
    "Show",
  );
  const drawSecret = () => {
    secretEl.textContent = shown ? secret : MASK;
    toggle.textContent = shown ? "Hide" : "Show";
    toggle.setAttribute("aria-pressed", String(shown));
    noSecretYet.hidden = Boolean(secret);
  };
  toggle.addEventListener("click", () => {
    shown = !shown;
    drawSecret();
  });

  // Test event.
  const test = h("button", { type: "button", class: "btn", testid: "webhook-test" }, "Send test event");
  const testResult = h("div", { testid: "webhook-test-result", "aria-live": "polite" });
  const syncTest = () => {
    test.disabled = !settings.webhook_url;
    test.title = settings.webhook_url ? "" : "Save a webhook URL first";
  };

  urlForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = url.value.trim();
    save.disabled = true;
    clear(saveResult);
    try {
      settings = await api.patch("/api/v1/dashboard/webhook_settings", { webhook_url: value || null });
      if (!ctx.alive) return;
      url.value = settings.webhook_url || "";
      secret = settings.webhook_secret || secret;
      drawSecret();
      syncTest();
      saveResult.append(
        h("div", { class: "alert alert-success" }, settings.webhook_url ? "Webhook URL saved." : "Webhook URL removed: no events are sent to it."),
      );
    } catch (error) {
      if (ctx.alive && error.status !== 401) saveResult.append(errorBox(error));
    } finally {
      save.disabled = false;
    }
  });

  test.addEventListener("click", async () => {
    test.disabled = true;
    clear(testResult, loading("Sending a ping event…"));
    try {
      const delivery = await api.post("/api/v1/dashboard/webhook_settings/test", {});
      if (!ctx.alive) return;
      clear(
        testResult,
        h(
          "div",
          { class: "alert alert-success" },
          "Test event queued: ",
          h("a", { href: `#/webhook-logs/${encodeURIComponent(delivery.id)}`, testid: "webhook-test-link" }, delivery.id),
          " ",
          badge(delivery.status),
          " — open it to follow the attempts.",
        ),
      );
    } catch (error) {
      if (ctx.alive && error.status !== 401) clear(testResult, errorBox(error));
    } finally {
      syncTest();
    }
  });

  drawSecret();
  syncTest();
  clear(
    settingsPanel,
    h("h2", { testid: "webhook-mode" }, `Your ${mode}-mode webhook URL`),
    urlForm,
    h(
      "p",
      { id: "webhook-url-hint", class: "muted small" },
      `Every ${mode}-mode event is POSTed here; the other mode has its own URL and secret (log in to that mode to see them). Test mode also accepts http:// and localhost URLs; live mode needs a public https:// URL. Leave empty and save to stop sending.`,
    ),
    saveResult,
    h("h2", {}, `Signing secret (${mode} mode)`),
    h(
      "div",
      { class: "secret-row" },
      secretEl,
      toggle,
      copyButton(() => secret, "Copy", { "aria-label": `Copy the ${mode}-mode signing secret` }),
    ),
    noSecretYet,
    h(
      "p",
      { class: "muted small" },
      "Verify each delivery: the webhook-signature header (Standard Webhooks) or X-Webhook-Signature, the hex HMAC-SHA256 of the raw body. ",
      h("a", { href: "#/docs" }, "How to verify"),
    ),
    h("h2", {}, "Test your endpoint"),
    h("p", { class: "muted small" }, "Sends a ping event to the saved URL and records the delivery in the webhook logs."),
    test,
    testResult,
  );
}
