/* paygate checkout SDK: the hosted checkout in a modal, on the merchant's page. No dependencies.
 *
 *   <script src="https://<gateway>/sdk/checkout.js"></script>
 *   new PaymentGateway({
 *     key: "key_test_...",            // your key id (never the secret)
 *     orderId: "order_...",           // created by your server with POST /api/v1/orders
 *     onSuccess: function (r) {},     // {payment_id, order_id}: confirm it on your server before shipping
 *     onFailure: function (r) {},     // {order_id, error: {code, description}}; the payer may try again
 *     onClose: function () {},        // the payer closed it (after a success the modal closes by itself)
 *   }).open();
 *
 * The checkout runs in an iframe on the gateway's origin (where this script was loaded from). Messages
 * from it are trusted only when they come from that origin and from that very iframe.
 *
 * Saved cards: create the order with `customer: "cus_..."` on your server; the checkout then offers
 * that customer's saved cards and a "Save this card" consent box. There is deliberately no `customer`
 * option here: anything this page passes could be changed by whoever holds the page, and a customer
 * named by the browser would show that customer's cards to them. The order, made with your secret,
 * is the only place the customer can come from.
 */
(function (global) {
  "use strict";

  var VERSION = "1.0.0";
  var SUCCESS_CLOSE_MS = 1000;
  var Z = "2147483000";
  var script = document.currentScript;
  var GATEWAY = script && script.src ? new URL(script.src, document.baseURI).origin : null;
  var current = null; // the PaymentGateway whose modal is open: there is at most one

  function css(element, styles) {
    Object.keys(styles).forEach(function (name) {
      element.style.setProperty(name, styles[name]);
    });
    return element;
  }

  function make(tag, attributes, styles) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      element.setAttribute(name, attributes[name]);
    });
    return css(element, styles || {});
  }

  function call(callback, value) {
    if (typeof callback !== "function") return;
    try {
      callback(value);
    } catch (error) {
      window.setTimeout(function () { throw error; }); // report it without breaking the SDK
    }
  }

  function PaymentGateway(options) {
    if (!(this instanceof PaymentGateway)) return new PaymentGateway(options);
    options = options || {};
    if (!options.orderId) throw new Error("PaymentGateway: orderId is required");
    if (!GATEWAY) throw new Error("PaymentGateway: load checkout.js with a <script src> from the gateway");
    this.key = options.key || null;
    this.orderId = String(options.orderId);
    this.onSuccess = options.onSuccess;
    this.onFailure = options.onFailure;
    this.onClose = options.onClose;
    this._modal = null;
  }

  PaymentGateway.version = VERSION;
  PaymentGateway.origin = GATEWAY;

  PaymentGateway.prototype.isOpen = function () {
    return this._modal !== null;
  };

  PaymentGateway.prototype.open = function () {
    if (this._modal) return this; // already open: never two modals
    if (current) current._teardown(); // another checkout was open: this one replaces it
    current = this;
    this._returnFocus = document.activeElement;
    this._paid = false;
    this._build();
    return this;
  };

  PaymentGateway.prototype.close = function () {
    if (!this._modal) return this;
    var paid = this._paid; // closing in the moment after a success reports nothing more
    this._teardown();
    if (!paid) call(this.onClose);
    return this;
  };

  PaymentGateway.prototype._build = function () {
    var self = this;
    var mobile = window.matchMedia && window.matchMedia("(max-width: 480px)").matches;
    var src = GATEWAY + "/checkout?" + new URLSearchParams({
      order_id: this.orderId,
      embedded: "true",
      parent_origin: window.location.origin,
    }).toString();

    var overlay = make("div", { "data-test-id": "paygate-modal", "data-paygate": VERSION }, {
      position: "fixed",
      inset: "0",
      "z-index": Z,
      display: "flex",
      // The top stays put: when the checkout resizes, only the bottom edge moves, so the close button
      // (above the dialog) never jumps away from under the pointer.
      "align-items": mobile ? "stretch" : "flex-start",
      "justify-content": "center",
      padding: mobile ? "52px 0 0" : "24px",
      background: "rgba(15, 20, 40, 0.62)",
      "box-sizing": "border-box",
      margin: "0",
    });
    var dialog = make("div", { role: "dialog", "aria-modal": "true", "aria-label": "Secure checkout" }, {
      position: "relative",
      width: "100%",
      "max-width": mobile ? "none" : "440px",
      height: mobile ? "100%" : "min(560px, calc(100vh - 96px))",
      transition: "height 0.15s ease-out",
      "margin-top": mobile ? "0" : "40px",
    });
    var frameBox = make("div", {}, {
      width: "100%",
      height: "100%",
      background: "#fff",
      "border-radius": mobile ? "14px 14px 0 0" : "14px",
      "box-shadow": "0 24px 60px rgba(0, 0, 0, 0.35)",
      overflow: "hidden",
    });
    var close = make("button", { type: "button", "data-test-id": "paygate-close", "aria-label": "Close checkout" }, {
      position: "absolute",
      top: "-44px",
      right: mobile ? "12px" : "0",
      width: "36px",
      height: "36px",
      padding: "0",
      margin: "0",
      border: "0",
      "border-radius": "50%",
      background: "rgba(255, 255, 255, 0.92)",
      color: "#1a1f36",
      font: "600 22px/36px system-ui, sans-serif",
      "text-align": "center",
      cursor: "pointer",
      "box-shadow": "0 2px 8px rgba(0, 0, 0, 0.25)",
    });
    close.textContent = "\u00d7";
    close.addEventListener("focus", function () { css(close, { outline: "3px solid #8fa4ff", "outline-offset": "2px" }); });
    close.addEventListener("blur", function () { css(close, { outline: "none" }); });
    close.addEventListener("click", function () { self.close(); });

    var iframe = make("iframe", {
      "data-test-id": "paygate-iframe",
      src: src,
      title: "paygate secure checkout",
      allow: "payment",
      referrerpolicy: "origin",
    }, { display: "block", width: "100%", height: "100%", border: "0", background: "#fff" });

    // Focus stays in the modal: Tab past the end comes back to the start and Shift+Tab the other way.
    function sentinel(target) {
      var element = make("span", { tabindex: "0", "aria-hidden": "true" }, { position: "absolute", width: "1px", height: "1px", overflow: "hidden" });
      element.addEventListener("focus", function () { target().focus(); });
      return element;
    }
    overlay.appendChild(sentinel(function () { return iframe; }));
    frameBox.appendChild(iframe);
    dialog.appendChild(close);
    dialog.appendChild(frameBox);
    overlay.appendChild(dialog);
    overlay.appendChild(sentinel(function () { return close; }));

    this._onMessage = function (event) {
      if (event.origin !== GATEWAY || event.source !== iframe.contentWindow) return;
      var data = event.data;
      if (!data || typeof data !== "object" || data.source !== "paygate") return;
      if (data.order_id !== undefined && data.order_id !== self.orderId) return;
      if (data.type === "payment_success") {
        if (self._paid) return;
        self._paid = true;
        call(self.onSuccess, { payment_id: String(data.payment_id), order_id: self.orderId });
        self._closeTimer = window.setTimeout(function () { self._teardown(); }, SUCCESS_CLOSE_MS);
      } else if (data.type === "payment_failed") {
        var error = data.error || {};
        call(self.onFailure, {
          order_id: self.orderId,
          error: { code: String(error.code || "PAYMENT_FAILED"), description: String(error.description || "") },
        });
      } else if (data.type === "close") {
        self.close();
      } else if (data.type === "resize" && !mobile && typeof data.height === "number" && data.height > 0) {
        dialog.style.height = "min(" + Math.min(Math.ceil(data.height), 2000) + "px, calc(100vh - 96px))";
      }
    };
    this._onKey = function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        self.close();
      }
    };
    window.addEventListener("message", this._onMessage);
    document.addEventListener("keydown", this._onKey, true);

    var body = document.body;
    this._bodyOverflow = body.style.overflow;
    this._bodyPadding = body.style.paddingRight;
    var scrollbar = window.innerWidth - document.documentElement.clientWidth;
    body.style.overflow = "hidden";
    if (scrollbar > 0) body.style.paddingRight = scrollbar + "px"; // no layout jump
    body.appendChild(overlay);
    this._modal = overlay;
    iframe.addEventListener("load", function () { iframe.focus(); });
    close.focus();
  };

  PaymentGateway.prototype._teardown = function () {
    if (!this._modal) return;
    window.clearTimeout(this._closeTimer);
    window.removeEventListener("message", this._onMessage);
    document.removeEventListener("keydown", this._onKey, true);
    // Focus goes back first: removing an iframe that holds the focus would leave the page without it.
    var back = this._returnFocus;
    this._returnFocus = null;
    window.focus();
    if (back && typeof back.focus === "function" && document.contains(back)) back.focus();
    this._modal.remove();
    this._modal = null;
    document.body.style.overflow = this._bodyOverflow;
    document.body.style.paddingRight = this._bodyPadding;
    if (current === this) current = null;
  };

  global.PaymentGateway = PaymentGateway;
})(window);
