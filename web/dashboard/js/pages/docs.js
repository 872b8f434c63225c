import { api } from "../api.js";
import { codeBlock, h } from "../dom.js";
import { pageHeader } from "../ui.js";

function section(id, title, ...children) {
  return h("section", { class: "panel docs-section", id: `docs-${id}`, "aria-labelledby": `docs-${id}-title` }, h("h2", { id: `docs-${id}-title` }, title), children);
}

function p(...children) {
  return h("p", {}, children);
}

function c(text) {
  return h("code", {}, text);
}

export async function renderDocs(view, _params, ctx, app) {
  const mode = app.session.mode || "test";
  view.append(
    pageHeader("Developer docs", "Integrate paygate: your server creates orders, the checkout collects the payment, webhooks tell you the outcome."),
  );
  let keyId = `key_${mode}_...`;
  try {
    const keys = (await api.get("/api/v1/dashboard/credentials")).keys || [];
    keyId = keys.find((k) => k.mode === mode)?.key_id || keyId;
  } catch (error) {
    if (error.status === 401) return;
    // The docs still make sense with a placeholder key id.
  }
  if (!ctx.alive) return;
  const origin = location.origin;
  const secret = `secret_${mode}_...`;

  const toc = [
    ["auth", "Authentication"],
    ["orders", "Create an order"],
    ["checkout", "Checkout SDK"],
    ["payments", "Server-side payments"],
    ["refunds", "Refunds"],
    ["webhooks", "Webhooks"],
    ["errors", "Errors and idempotency"],
  ];

  view.append(
    h(
      "div",
      { class: "docs", testid: "docs-content" },
      h("nav", { class: "docs-toc", "aria-label": "On this page" }, h("ul", {}, toc.map(([id, t]) => h("li", {}, h("a", { href: `#docs-${id}`, onclick: (e) => jump(e, id) }, t))))),
      h(
        "div",
        { class: "docs-body" },
        section(
          "auth",
          "Authentication",
          p("Every server-side call sends your key id and secret. Keep the secret on your server; never put it in a browser or an app."),
          codeBlock(`X-Api-Key: ${keyId}\nX-Api-Secret: ${secret}\n\n# or\nAuthorization: Bearer ${secret}`, "HTTP headers"),
          p(
            "Base URL ",
            c(`${origin}/api/v1`),
            ". JSON in and out. Amounts are integers in minor units (",
            c("5000"),
            " = ₹50.00; JPY has none, KWD three). Lists take ",
            c("limit"),
            " (1–100) and ",
            c("offset"),
            " and answer ",
            c('{"items": [...], "count": n, "has_more": bool}'),
            ". Your key's mode (test or live) is the mode of everything it creates and sees.",
          ),
          p("Your key id is on the ", h("a", { href: "#/credentials" }, "API keys"), " page; a lost secret can be regenerated there."),
        ),
        section(
          "orders",
          "Create an order",
          p("Create an order on your server for every purchase, then hand its id to the checkout."),
          codeBlock(
            `curl ${origin}/api/v1/orders \\\n  -H "X-Api-Key: ${keyId}" -H "X-Api-Secret: ${secret}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"amount": 50000, "currency": "INR", "receipt": "receipt#42", "notes": {"cart": "42"}}'`,
            "shell",
          ),
          codeBlock(
            `{"id": "order_0VblXeRDqgrpVl", "entity": "order", "amount": 50000, "amount_paid": 0, "amount_due": 50000,\n "currency": "INR", "receipt": "receipt#42", "status": "created", "attempts": 0, "mode": "${mode}", ...}`,
            "response",
          ),
          p(
            "Selling to a customer you know (",
            h("a", { href: "#/customers" }, "Customers"),
            ")? Add ",
            c('"customer": "cus_…"'),
            " to the order: the checkout then offers that customer's saved cards and a box to save the new one. The customer rides on the order, never on the page: the SDK takes none.",
          ),
        ),
        section(
          "checkout",
          "Checkout SDK",
          p("Load the SDK on your page and open the checkout for the order. It takes only the key id, never the secret."),
          codeBlock(
            `<script src="${origin}/sdk/checkout.js"></script>\n<script>\n  const checkout = new PaymentGateway({\n    key: "${keyId}",\n    orderId: "order_0VblXeRDqgrpVl",        // from your server\n    onSuccess: (result) => {              // {payment_id, order_id}\n      // confirm on your server (GET /api/v1/payments/{id} or the webhook) before fulfilling\n    },\n    onFailure: (result) => console.warn("payment failed", result.error), // {order_id, error: {code, description}}\n    onClose: () => console.log("checkout closed"),\n  });\n  document.querySelector("#pay").addEventListener("click", () => checkout.open());\n</script>`,
            "html",
          ),
          p(
            "The checkout page is also reachable directly at ",
            c(`${origin}/checkout?order_id=<order id>`),
            ". Treat ",
            c("onSuccess"),
            " as a hint: the webhook or a server-side GET is the source of truth.",
          ),
        ),
        section(
          "payments",
          "Server-side payments",
          p("You can also pay an order from your server (UPI or card) and follow its status."),
          codeBlock(
            `curl ${origin}/api/v1/payments \\\n  -H "X-Api-Key: ${keyId}" -H "X-Api-Secret: ${secret}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"order_id": "order_0VblXeRDqgrpVl", "method": "upi", "vpa": "payer@okaxis"}'\n\n# 201: {"id": "pay_0VblXeT5zSv2Tv", "status": "pending", ...} then success or failed\ncurl ${origin}/api/v1/payments/pay_0VblXeT5zSv2Tv -H "X-Api-Key: ${keyId}" -H "X-Api-Secret: ${secret}"`,
            "shell",
          ),
          p(
            "Statuses: ",
            c("pending"),
            " → ",
            c("success"),
            " or ",
            c("failed"),
            " (with ",
            c("error_code"),
            "); ",
            c("captured"),
            " after ",
            c("POST /payments/{id}/capture"),
            "; ",
            c("refunded"),
            " when fully refunded. Filter lists with ",
            c("status"),
            ", ",
            c("method"),
            ", ",
            c("from"),
            ", ",
            c("to"),
            " (ISO 8601 UTC dates or times).",
          ),
          mode === "test"
            ? p("In test mode every payment succeeds; the Visa card ", c("4111 1111 1111 1111"), " with any future expiry and CVV works.")
            : null,
        ),
        section(
          "refunds",
          "Refunds",
          p("Refund all or part of a successful payment. Leave out the amount to refund what is left."),
          codeBlock(
            `curl ${origin}/api/v1/payments/pay_0VblXeT5zSv2Tv/refunds \\\n  -H "X-Api-Key: ${keyId}" -H "X-Api-Secret: ${secret}" \\\n  -H "Content-Type: application/json" \\\n  -H "Idempotency-Key: 6f1c2a52-refund-42" \\\n  -d '{"amount": 1000, "reason": "customer request"}'\n\n# 201: {"id": "rfnd_0VblXeti4NfID2", "status": "pending", ...}, later "processed" with processed_at`,
            "shell",
          ),
        ),
        section(
          "webhooks",
          "Webhooks",
          p(
            "Set your URL on the ",
            h("a", { href: "#/webhooks" }, "Webhooks"),
            " page. Each event (",
            c("payment.success"),
            ", ",
            c("payment.failed"),
            ", ",
            c("refund.processed"),
            ", ",
            c("order.paid"),
            ", …) arrives as a CloudEvents JSON POST. Answer 2xx quickly; anything else is retried up to 5 times. ",
            "Dedupe on the ",
            c("webhook-id"),
            " header (the event id).",
          ),
          p(
            "Verify every delivery with your signing secret, over the raw body, before parsing it: either the ",
            h("a", { href: "https://www.standardwebhooks.com", rel: "noopener noreferrer", target: "_blank" }, "Standard Webhooks"),
            " headers (",
            c("webhook-id"),
            ", ",
            c("webhook-timestamp"),
            ", ",
            c("webhook-signature"),
            ") with their library, or ",
            c("X-Webhook-Signature"),
            ", the hex HMAC-SHA256 of the raw body.",
          ),
          codeBlock(
            `import hashlib\nimport hmac\n\nfrom standardwebhooks import Webhook  # pip install standardwebhooks\n\n# raises on a bad signature or a timestamp older than 5 minutes\nevent = Webhook("whsec_...").verify(raw_body, request_headers)\n\n# or the hex HMAC of the raw body\nexpected = hmac.new(b"whsec_...", raw_body, hashlib.sha256).hexdigest()\nok = hmac.compare_digest(request_headers["X-Webhook-Signature"], expected)`,
            "python",
          ),
          codeBlock(
            `// Node.js (Express): keep the raw body\nconst crypto = require("crypto");\napp.post("/webhooks/paygate", express.raw({ type: "application/json" }), (req, res) => {\n  const expected = crypto.createHmac("sha256", process.env.PAYGATE_WEBHOOK_SECRET).update(req.body).digest("hex");\n  const given = req.get("X-Webhook-Signature") || "";\n  if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {\n    return res.sendStatus(400);\n  }\n  const event = JSON.parse(req.body);\n  // handle event.type, event.data ...\n  res.sendStatus(200);\n});`,
            "javascript",
          ),
          p("Every delivery and its attempts are in the ", h("a", { href: "#/webhook-logs" }, "Webhook logs"), ", where you can retry one."),
        ),
        section(
          "errors",
          "Errors and idempotency",
          codeBlock(`{"error": {"code": "BAD_REQUEST_ERROR", "description": "Value error, amount must be at least 1.00 INR", "field": "amount"}}`, "error body"),
          p(
            "401: missing or wrong credentials; 403: suspended merchant; 404: not found (or another merchant's id); 400: invalid input, naming ",
            c("field"),
            ". Send ",
            c("Idempotency-Key"),
            " (a fresh UUID per operation) on every creating POST: a retry with the same key and body replays the first answer instead of charging or refunding twice.",
          ),
        ),
      ),
    ),
  );
}

function jump(event, id) {
  // Hash links would change the route: scroll instead.
  event.preventDefault();
  document.getElementById(`docs-${id}`)?.scrollIntoView({ behavior: "smooth", block: "start" });
}
