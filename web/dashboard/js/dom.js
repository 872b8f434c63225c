// Small DOM helpers. Every piece of API data reaches the page as a text node or an attribute value,
// never as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

function apply(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") el.setAttribute("class", value);
    else if (name === "testid") el.setAttribute("data-test-id", value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "text") el.textContent = value;
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** h("a", {href: "#/x", testid: "nav-x"}, "text", otherNode) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** The same for SVG elements. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const STATUS_TONES = {
  success: "good",
  succeeded: "good",
  captured: "good",
  processed: "good",
  enabled: "good",
  pending: "warn",
  processing: "warn",
  created: "neutral",
  attempted: "warn",
  failed: "bad",
  canceled: "bad",
  disabled: "neutral",
  refunded: "info",
  paid: "good",
};

/** A status pill; `tone` (good, warn, bad, info, neutral) overrides the one the status implies. */
export function badge(status, testid, tone = STATUS_TONES[status] || "neutral") {
  return h("span", { class: `badge badge-${tone}`, testid }, status ?? "—");
}

/** An inline error box; role=alert so screen readers announce it. */
export function errorBox(error, testid) {
  const message = error && error.description ? error.description : String(error && error.message ? error.message : error);
  const code = error && error.code ? error.code : null;
  return h("div", { class: "alert alert-error", role: "alert", testid }, code ? h("strong", {}, code + ": ") : null, message);
}

export function dateTime(iso) {
  if (!iso) return h("span", { class: "muted" }, "—");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h("span", {}, iso);
  const text = date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
  return h("time", { datetime: iso, title: iso }, text);
}

export function mono(text, attrs = {}) {
  return h("code", { class: "mono", ...attrs }, text);
}

/** A button that copies `text()` to the clipboard and says so. */
export function copyButton(text, label = "Copy", attrs = {}) {
  const button = h("button", { type: "button", class: "btn btn-small", ...attrs }, label);
  button.addEventListener("click", async () => {
    const value = typeof text === "function" ? text() : text;
    try {
      await navigator.clipboard.writeText(value);
      button.textContent = "Copied";
    } catch {
      // Clipboard refused (insecure origin, permissions): fall back to a selectable prompt.
      window.prompt("Copy this value:", value);
    }
    setTimeout(() => (button.textContent = label), 1500);
  });
  return button;
}

export function codeBlock(code, lang) {
  return h(
    "div",
    { class: "code-block" },
    h("div", { class: "code-head" }, h("span", {}, lang || ""), copyButton(code, "Copy", { "aria-label": "Copy code" })),
    h("pre", {}, h("code", {}, code)),
  );
}
