/* paygate hosted 3-D Secure challenge: /checkout/challenge?payment_id=...&token=...
 *
 * - next_action points here (the simulator's challenge): shows the merchant and amount and asks the
 *   payer to complete or fail authentication; posts the choice with the signed token to
 *   POST /api/v1/payments/{id}/authenticate, then sends the payer to next_action's return_url with
 *   payment_id appended (as Stripe appends payment_intent).
 * - next_action points to a provider's page and the payer is back here (its return_url): posts the token
 *   alone (the gateway asks the provider how it ended), then goes on to return_url the same way.
 * - no token, or nothing left to do: shows where the payment stands (the default return page).
 *
 * The hosted wallet page (/checkout/wallet: Paytm, PhonePe, Amazon Pay in test mode) is this same script
 * on another page: its <main data-flow="wallet"> names its test ids (wallet-...), its buttons' data-result
 * (approved / declined) and where its own address starts (data-page); it also shows the wallet's name.
 */
(function () {
  "use strict";

  var shared = window.PaygateCheckout; // ../common.js: formatAmount, request
  var formatAmount = shared.formatAmount;
  var request = shared.request;
  var POLL_MS = 1500;
  var params = new URLSearchParams(window.location.search);
  var paymentId = params.get("payment_id") || "";
  var token = params.get("token") || "";
  var root = document.querySelector("main[data-flow]");
  var flow = root.getAttribute("data-flow"); // "challenge" or "wallet"
  var page = root.getAttribute("data-page");
  var WALLETS = { paytm: "Paytm", phonepe: "PhonePe", amazonpay: "Amazon Pay" };
  var returnUrl = null;

  // the page's own elements: data-test-id="<flow>-<name>"
  function byTestId(name) {
    return document.querySelector('[data-test-id="' + flow + "-" + name + '"]');
  }

  function show(state) {
    root.querySelectorAll("[data-state]").forEach(function (section) {
      section.hidden = section.getAttribute("data-state") !== state;
    });
    root.setAttribute("aria-busy", state === "loading" || state === "working" ? "true" : "false");
    var heading = root.querySelector('[data-state="' + state + '"] h2[tabindex]');
    if (heading) heading.focus();
  }

  function done(title, detail) {
    byTestId("result").textContent = title;
    byTestId("detail").textContent = detail || "";
    show("done");
  }

  // Only an http(s) address is followed (never javascript: or data:), with payment_id appended.
  function goBack() {
    var target = null;
    try {
      target = returnUrl ? new URL(returnUrl, window.location.href) : null;
    } catch (e) {
      target = null;
    }
    if (!target || (target.protocol !== "https:" && target.protocol !== "http:")) {
      return watch();
    }
    target.searchParams.set("payment_id", paymentId);
    window.location.assign(target.toString());
  }

  function outcome(payment) {
    if (payment.status === "success" || payment.status === "captured") {
      done("Payment successful", "Payment " + payment.id);
    } else if (payment.status === "failed" || payment.status === "canceled") {
      done("Payment failed", "The payment was not completed. You can close this page.");
    } else {
      done("Payment processing", "Waiting for the payment to finish…");
      window.setTimeout(watch, POLL_MS);
    }
  }

  function watch() {
    request("/payments/" + encodeURIComponent(paymentId) + "/public").then(function (answer) {
      if (answer.ok) outcome(answer.body);
      else done("We couldn't find this payment");
    });
  }

  // While the payer decides: a challenge that timed out (or ended elsewhere) sends the payer back.
  var asking = true;
  function stillAsked() {
    window.setTimeout(function () {
      if (!asking) return;
      request("/payments/" + encodeURIComponent(paymentId) + "/public").then(function (answer) {
        if (!asking) return;
        if (answer.ok && answer.body.status !== "requires_action") {
          asking = false;
          show("working");
          return goBack();
        }
        stillAsked();
      }, stillAsked);
    }, POLL_MS * 2);
  }

  function authenticate(result) {
    asking = false;
    root.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    show("working");
    var body = { token: token };
    if (result) body.result = result;
    request("/payments/" + encodeURIComponent(paymentId) + "/authenticate", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (answer) {
      if (!answer.ok) {
        var error = (answer.body && answer.body.error) || {};
        done("Authentication could not be recorded", error.description || "Please try again.");
        return;
      }
      goBack();
    }).catch(function () {
      done("We couldn't reach the payment server", "Check your connection and reload this page.");
    });
  }

  root.querySelectorAll("button[data-result]").forEach(function (button) {
    button.addEventListener("click", function () { authenticate(button.getAttribute("data-result")); });
  });

  function ours(url) {
    try {
      var target = new URL(url, window.location.href);
      return target.origin === window.location.origin && target.pathname.indexOf(page) === 0;
    } catch (e) {
      return false;
    }
  }

  if (!paymentId) {
    done("This link has no payment");
    return;
  }
  request("/payments/" + encodeURIComponent(paymentId) + "/public").then(function (answer) {
    if (!answer.ok) {
      done("We couldn't find this payment");
      return;
    }
    var payment = answer.body;
    if (flow === "wallet" && WALLETS[payment.wallet]) {
      root.querySelectorAll("[data-wallet-name]").forEach(function (node) {
        node.textContent = WALLETS[payment.wallet];
      });
      document.title = "Pay with " + WALLETS[payment.wallet] + " · paygate";
    }
    byTestId("amount").textContent = formatAmount(payment.amount, payment.currency);
    if (payment.order_id) {
      request("/orders/" + encodeURIComponent(payment.order_id) + "/public").then(function (order) {
        if (order.ok) byTestId("merchant-name").textContent = order.body.merchant_name;
      });
    }
    var action = payment.status === "requires_action" && payment.next_action && payment.next_action.redirect_to_url;
    if (!action || !token) return outcome(payment);
    returnUrl = action.return_url;
    if (ours(action.url)) {
      show("ask");
      stillAsked();
    } else {
      authenticate(null);
    } // back from the provider's own page: the gateway asks the provider
  }).catch(function () {
    done("We couldn't reach the payment server", "Check your connection and reload this page.");
  });
})();
