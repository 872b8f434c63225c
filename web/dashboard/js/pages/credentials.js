import { api } from "../api.js";
import { badge, clear, copyButton, dateTime, errorBox, h, mono } from "../dom.js";
import { loading, pageHeader } from "../ui.js";

export async function renderCredentials(view, _params, ctx, app) {
  const mode = app.session.mode || "test";
  const list = h("section", { class: "panel" }, loading());
  const regen = h("section", { class: "panel" });
  view.append(
    pageHeader("API keys", "Authenticate server-side calls with a key id and its secret (X-Api-Key and X-Api-Secret)."),
    list,
    regen,
  );

  let keys;
  try {
    keys = (await api.get("/api/v1/dashboard/credentials")).keys || [];
  } catch (error) {
    if (ctx.alive) clear(list, errorBox(error));
    return;
  }
  if (!ctx.alive) return;

  const keyCells = new Map();
  const rows = keys.map((key) => {
    const current = key.mode === mode;
    const idCell = mono(key.key_id, { testid: current ? "credentials-key-id" : undefined });
    keyCells.set(key.mode, idCell);
    return h(
      "tr",
      { class: current ? "current" : undefined },
      h("td", { "data-label": "Mode" }, badge(key.mode === "live" ? "live" : "test"), current ? h("span", { class: "muted" }, " (this session)") : null),
      h("td", { "data-label": "Key id" }, idCell, " ", copyButton(() => idCell.textContent, "Copy", { "aria-label": `Copy the ${key.mode} key id` })),
      h("td", { "data-label": "Secret" }, h("span", { class: "masked" }, "•••••••••••••••• "), h("span", { class: "muted" }, "stored hashed")),
      h("td", { "data-label": "Created" }, dateTime(key.created_at)),
    );
  });
  clear(
    list,
    h("h2", {}, "Keys"),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "table" },
        h("thead", {}, h("tr", {}, ["Mode", "Key id", "Secret", "Created"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.length ? rows : h("tr", { class: "empty-row" }, h("td", { colspan: 4 }, "No keys."))),
      ),
    ),
    h(
      "p",
      { class: "muted small" },
      "Secrets are stored only as hashes, so the dashboard cannot show an existing secret. If you have lost it, generate a new one.",
    ),
  );

  // Regenerate: button -> confirm step -> new secret shown once.
  const result = h("div", { "aria-live": "polite" });
  const start = h(
    "button",
    { type: "button", class: "btn btn-danger-outline", testid: "credentials-regenerate" },
    `Regenerate ${mode} secret`,
  );
  const confirm = h(
    "div",
    { class: "confirm", hidden: true, role: "group", "aria-labelledby": "regen-confirm-title" },
    h("p", { id: "regen-confirm-title" }, h("strong", {}, `Regenerate the ${mode} key?`)),
    h(
      "p",
      {},
      `The current ${mode} secret stops working immediately: every integration using it gets 401 until you give it the new secret. `,
      "The new secret is shown once.",
    ),
  );
  const yes = h("button", { type: "button", class: "btn btn-danger", testid: "credentials-regenerate-confirm" }, "Yes, regenerate");
  const no = h("button", { type: "button", class: "btn", testid: "credentials-regenerate-cancel" }, "Cancel");
  confirm.append(h("div", { class: "row-actions" }, yes, no));

  start.addEventListener("click", () => {
    confirm.hidden = false;
    start.hidden = true;
    clear(result);
    no.focus();
  });
  no.addEventListener("click", () => {
    confirm.hidden = true;
    start.hidden = false;
    start.focus();
  });
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    no.disabled = true;
    try {
      const fresh = await api.post("/api/v1/dashboard/credentials/regenerate", { mode });
      if (!ctx.alive) return;
      const cell = keyCells.get(fresh.mode || mode);
      if (cell) cell.textContent = fresh.key_id;
      const secret = h("code", { class: "mono secret", testid: "credentials-new-secret" }, fresh.key_secret);
      clear(
        result,
        h(
          "div",
          { class: "alert alert-success" },
          h("p", {}, h("strong", {}, "New secret generated. "), "Copy it now: it will not be shown again."),
          h("div", { class: "secret-row" }, h("span", { class: "muted" }, "Key id "), mono(fresh.key_id)),
          h("div", { class: "secret-row" }, h("span", { class: "muted" }, "Secret "), secret, " ", copyButton(fresh.key_secret, "Copy secret", { testid: "credentials-copy-secret" })),
        ),
      );
    } catch (error) {
      if (ctx.alive && error.status !== 401) clear(result, errorBox(error));
    } finally {
      yes.disabled = false;
      no.disabled = false;
      confirm.hidden = true;
      start.hidden = false;
    }
  });

  clear(
    regen,
    h("h2", {}, "Regenerate secret"),
    h("p", { class: "muted" }, "Rotate the secret if it may have leaked or you no longer have it."),
    start,
    confirm,
    result,
  );
}
