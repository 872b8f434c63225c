// paygate merchant dashboard: session, shell and hash router. Pages live in ./js/pages/.

import { api, setUnauthorizedHandler } from "./js/api.js";
import { clear, errorBox, h } from "./js/dom.js";
import { renderCredentials } from "./js/pages/credentials.js";
import { renderCustomerDetail, renderCustomers } from "./js/pages/customers.js";
import { renderDocs } from "./js/pages/docs.js";
import { renderOverview } from "./js/pages/overview.js";
import { renderRefunds } from "./js/pages/refunds.js";
import { renderPaymentDetail, renderTransactions } from "./js/pages/transactions.js";
import { renderWebhookDetail, renderWebhookLogs } from "./js/pages/webhook_logs.js";
import { renderWebhookSettings } from "./js/pages/webhooks.js";

const ROUTES = {
  overview: { title: "Overview", list: renderOverview },
  credentials: { title: "API keys", list: renderCredentials },
  transactions: { title: "Transactions", list: renderTransactions, detail: renderPaymentDetail },
  refunds: { title: "Refunds", list: renderRefunds },
  customers: { title: "Customers", list: renderCustomers, detail: renderCustomerDetail },
  webhooks: { title: "Webhooks", list: renderWebhookSettings },
  "webhook-logs": { title: "Webhook logs", list: renderWebhookLogs, detail: renderWebhookDetail },
  docs: { title: "Developer docs", list: renderDocs },
};

const $ = (id) => document.getElementById(id);
const state = { session: null, context: null, lastPage: null };

// ---- view contexts: timers and late answers die with the view ---------------------------------
function newContext() {
  const cleanups = [];
  const ctx = {
    alive: true,
    /** Run fn every ms while the view lives; never two at once. */
    every(ms, fn) {
      let busy = false;
      const id = setInterval(async () => {
        if (!ctx.alive || busy || document.hidden) return;
        busy = true;
        try {
          await fn();
        } finally {
          busy = false;
        }
      }, ms);
      cleanups.push(() => clearInterval(id));
      return id;
    },
    onCleanup(fn) {
      cleanups.push(fn);
    },
    dispose() {
      ctx.alive = false;
      for (const fn of cleanups.splice(0)) fn();
    },
  };
  return ctx;
}

function disposeView() {
  if (state.context) state.context.dispose();
  state.context = null;
}

// ---- routing ----------------------------------------------------------------------------------
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, "");
  const [path, search = ""] = raw.split("?");
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { segments, query: new URLSearchParams(search) };
}

export function navigate(path, query) {
  const search = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== "" && v != null)).toString() : "";
  const target = `#/${path}${search ? `?${search}` : ""}`;
  if (location.hash === target) route();
  else location.hash = target;
}

function route() {
  if (!state.session) return;
  const { segments, query } = parseHash();
  if (segments.length === 0) {
    location.replace("#/overview");
    return;
  }
  const [page, id] = segments;
  const entry = ROUTES[page];
  disposeView();
  const ctx = (state.context = newContext());
  const view = $("view");
  for (const link of document.querySelectorAll(".nav a")) {
    if (link.dataset.page === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const pageKey = `${page}/${id || ""}`;
  const pageChanged = state.lastPage !== pageKey;
  state.lastPage = pageKey;
  if (!entry || (id && !entry.detail) || segments.length > 2) {
    setTitle("Not found");
    clear(view, h("h1", { class: "page-title", tabindex: "-1" }, "Page not found"), h("p", {}, h("a", { href: "#/overview" }, "Go to the overview")));
    return;
  }
  setTitle(entry.title);
  const render = id ? entry.detail : entry.list;
  clear(view);
  const app = { session: state.session, navigate, setTitle };
  Promise.resolve(render(view, { id, query }, ctx, app)).catch((error) => {
    if (ctx.alive && error.status !== 401) view.append(errorBox(error));
  });
  if (pageChanged) {
    const heading = view.querySelector("h1");
    if (heading) heading.focus({ preventScroll: false });
    document.body.classList.remove("nav-open");
    window.scrollTo(0, 0);
  }
}

function setTitle(title) {
  document.title = `${title} · paygate dashboard`;
  $("page-heading").textContent = title;
}

// ---- session ----------------------------------------------------------------------------------
function showApp(session) {
  state.session = session;
  $("boot").hidden = true;
  $("login-view").hidden = true;
  $("app").hidden = false;
  $("merchant-name").textContent = session.merchant?.name || session.merchant?.email || "Merchant";
  $("merchant-email").textContent = session.merchant?.email || "";
  const live = session.mode === "live";
  const mode = $("mode-badge");
  mode.textContent = live ? "Live mode" : "Test mode";
  mode.className = `mode-badge ${live ? "mode-live" : "mode-test"}`;
  if (!location.hash || location.hash === "#" || location.hash === "#/") location.replace("#/overview");
  state.lastPage = null;
  route();
}

function showLogin(notice) {
  disposeView();
  state.session = null;
  state.lastPage = null;
  $("boot").hidden = true;
  $("app").hidden = true;
  clear($("view"));
  $("login-view").hidden = false;
  const noticeEl = $("login-notice");
  noticeEl.textContent = notice || "";
  noticeEl.hidden = !notice;
  $("login-error").hidden = true;
  document.title = "Sign in · paygate dashboard";
  $("login-email").focus();
}

async function submitLogin(event) {
  event.preventDefault();
  const error = $("login-error");
  const submit = $("login-submit");
  error.hidden = true;
  const email = $("login-email").value.trim();
  const password = $("login-password").value;
  if (!email || !password) {
    error.textContent = "Enter your email and password.";
    error.hidden = false;
    return;
  }
  submit.disabled = true;
  submit.textContent = "Signing in…";
  try {
    const session = await api.post("/api/v1/dashboard/login", { email, password }, { handle401: true });
    $("login-password").value = "";
    showApp(session);
  } catch (err) {
    error.textContent = err.description || String(err);
    error.hidden = false;
    $("login-password").select();
  } finally {
    submit.disabled = false;
    submit.textContent = "Sign in";
  }
}

async function logout() {
  const button = $("logout-button");
  button.disabled = true;
  try {
    await api.post("/api/v1/dashboard/logout", {}, { handle401: true });
    showLogin("You have signed out.");
  } catch (err) {
    if (err.status === 401) showLogin("You have signed out.");
    else window.alert(`Sign-out failed: ${err.description}`);
  } finally {
    button.disabled = false;
  }
}

async function boot() {
  try {
    const session = await api.get("/api/v1/dashboard/me", undefined, { handle401: true });
    showApp(session);
  } catch (err) {
    if (err.status === 401) {
      showLogin();
      return;
    }
    const box = $("boot");
    clear(
      box,
      h("h1", {}, "The dashboard could not start"),
      errorBox(err),
      h("button", { type: "button", class: "btn btn-primary", onclick: () => location.reload() }, "Try again"),
    );
  }
}

setUnauthorizedHandler(() => {
  if (state.session) showLogin("Your session has ended. Sign in again to continue.");
});
$("login-form").addEventListener("submit", submitLogin);
$("logout-button").addEventListener("click", logout);
$("nav-toggle").addEventListener("click", () => {
  const open = document.body.classList.toggle("nav-open");
  $("nav-toggle").setAttribute("aria-expanded", String(open));
});
window.addEventListener("hashchange", route);
boot();
