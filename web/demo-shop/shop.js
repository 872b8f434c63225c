/* The demo merchant's page: its own server creates the order (with the secret key, server-side), then
   the paygate SDK opens the hosted checkout in a modal. */
(function () {
  "use strict";

  var button = document.querySelector('[data-test-id="demo-buy-button"]');
  var result = document.querySelector('[data-test-id="demo-result"]');

  function say(text, tone) {
    result.textContent = text;
    result.className = "result" + (tone ? " " + tone : "");
  }

  var busy = false;

  function done() {
    busy = false;
    button.removeAttribute("aria-busy");
  }

  function buy() {
    if (typeof window.PaymentGateway !== "function") {
      say("The paygate SDK did not load: is the gateway running?", "bad");
      return;
    }
    if (busy) return;
    busy = true; // not button.disabled: a disabled button drops the focus the modal gives back on close
    button.setAttribute("aria-busy", "true");
    fetch("/demo-shop/api/orders", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ product: "masala-chai-kit" }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error((body.error && body.error.description) || "the order failed");
          return body;
        });
      })
      .then(function (order) {
        done();
        new window.PaymentGateway({
          key: order.key,
          orderId: order.order_id,
          onSuccess: function (payment) { say("paid " + payment.payment_id, "ok"); },
          onFailure: function (failure) { say("failed: " + failure.error.description, "bad"); },
          onClose: function () { say("closed"); },
        }).open();
      })
      .catch(function (error) {
        done();
        say("could not start checkout: " + error.message, "bad");
      });
  }

  button.addEventListener("click", buy);
})();
