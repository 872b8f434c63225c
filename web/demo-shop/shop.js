/* The demo merchant's page: its own server creates the order (with the secret key, server-side; for a
   signed-in shopper, made for the shopper's customer), then the paygate SDK opens the hosted checkout
   in a modal. */
(function () {
  "use strict";

  var button = document.querySelector('[data-test-id="demo-buy-button"]');
  var result = document.querySelector('[data-test-id="demo-result"]');

  function say(text, tone) {
    result.textContent = text;
    result.className = "result" + (tone ? " " + tone : "");
  }

  var busy = false;
  // A real shop knows its signed-in shopper from its own session; the demo takes ?shopper=<id>. Its
  // server makes the order for that shopper's gateway customer: the checkout then offers the
  // shopper's saved cards and the box to save one.
  var shopper = new URLSearchParams(window.location.search).get("shopper");

  function order() {
    var body = { product: "masala-chai-kit" };
    if (shopper) body.shopper = shopper;
    return body;
  }

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
      body: JSON.stringify(order()),
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
