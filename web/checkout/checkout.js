/* paygate hosted checkout: /checkout?order_id=...[&embedded=true&parent_origin=<merchant page origin>]
 *
 * Loads the order through the public API, takes a UPI ID, a card or a wallet (Paytm, PhonePe, Amazon
 * Pay), validates it as the server does
 * (paygate/payments/methods.py and models.py), creates the payment, polls it until it settles.
 * Embedded (in the SDK's iframe) it reports the outcome to the parent page with postMessage, addressed
 * to the exact origin the SDK passed in `parent_origin`.
 * 3-D Secure: a payment in requires_action sends this window (the iframe, in the SDK) to next_action's
 * url; the challenge comes back to this very address (the payment's return_url) with `payment_id`
 * added, and the checkout follows that payment to its end (docs/checkout-and-dashboard.md). A wallet
 * payment does the same through the hosted wallet page (/checkout/wallet).
 * An order made for a customer: the Card tab opens first with the customer's saved cards (radios, the
 * first one chosen, "Use a new card" last); paying with one posts its `payment_method` (pm_…) and no
 * card details. Under a new card, "Save this card for future payments" (unticked) posts
 * `save_payment_method: true`: the gateway saves the card to the customer once the payment succeeds,
 * with a mandate of this browser's IP and user agent (docs/checkout-and-dashboard.md).
 */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var shared = window.PaygateCheckout; // common.js: formatAmount, request
  var formatAmount = shared.formatAmount;
  var request = shared.request;

  // Exactly the server's patterns (methods.py), in the server's order.
  var VPA = /^[A-Za-z0-9][A-Za-z0-9.\-_]{0,255}@[A-Za-z][A-Za-z0-9]{1,63}$/;
  var NETWORKS = [
    ["amex", /^3[47]\d{13}$/],
    ["rupay", /^(60[6-8]\d{13}|65[2-3]\d{13}|8[12]\d{14}|508[5-9]\d{12})$/],
    ["visa", /^4(\d{12}|\d{15}|\d{18})$/],
    ["mastercard", /^(5[1-5]\d{14}|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12})$/],
  ];
  // While typing: which network the first digits point to (for the badge, grouping and CVV length).
  var PREFIXES = [
    ["amex", /^3[47]/],
    ["rupay", /^(60[6-8]|65[2-3]|8[12]|508[5-9])/],
    ["visa", /^4/],
    ["mastercard", /^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/],
  ];
  var NETWORK_NAMES = { visa: "Visa", mastercard: "Mastercard", amex: "Amex", rupay: "RuPay" };

  var params = new URLSearchParams(window.location.search);
  var orderId = params.get("order_id") || "";
  var embedded = params.get("embedded") === "true";
  var returnedPayment = params.get("payment_id"); // back from a 3-D Secure challenge
  var parentOrigin = embedded ? originOf(params.get("parent_origin")) : null;

  var root = document.getElementById("checkout");
  var form = root.querySelector(".pay-form");
  var payButton = byTestId("pay-button");
  var formError = byTestId("form-error");
  var method = "upi";
  var order = null;
  var pollTimer = null;
  var attempt = 0; // a retry makes the answers of an earlier attempt stale

  // --- helpers ---------------------------------------------------------------------------------
  function byTestId(name) {
    return document.querySelector('[data-test-id="' + name + '"]');
  }

  function originOf(value) {
    if (!value) return null;
    try {
      var url = new URL(value);
      if ((url.protocol === "https:" || url.protocol === "http:") && url.origin === value) return url.origin;
    } catch (e) {
      /* not a URL */
    }
    return null;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function post(message) {
    if (!embedded || !parentOrigin || window.parent === window) return;
    message.source = "paygate";
    window.parent.postMessage(message, parentOrigin);
  }

  function show(state) {
    root.querySelectorAll("[data-state]").forEach(function (section) {
      section.hidden = section.getAttribute("data-state") !== state;
    });
    root.setAttribute("aria-busy", state === "loading" || state === "processing" ? "true" : "false");
    var heading = root.querySelector('[data-state="' + state + '"] h2[tabindex]');
    if (heading) heading.focus();
  }

  // --- card and UPI rules (mirror the server) -------------------------------------------------
  function digitsOf(value) {
    return value.replace(/\D/g, "");
  }

  function luhnOk(number) {
    var total = 0;
    for (var i = 0; i < number.length; i++) {
      var digit = +number.charAt(number.length - 1 - i);
      if (i % 2) digit = digit > 4 ? digit * 2 - 9 : digit * 2;
      total += digit;
    }
    return total % 10 === 0;
  }

  function networkOf(number) {
    for (var i = 0; i < NETWORKS.length; i++) if (NETWORKS[i][1].test(number)) return NETWORKS[i][0];
    return null;
  }

  function likelyNetwork(digits) {
    for (var i = 0; i < PREFIXES.length; i++) if (PREFIXES[i][1].test(digits)) return PREFIXES[i][0];
    return null;
  }

  function groupCard(digits) {
    var groups = likelyNetwork(digits) === "amex" ? [4, 6, 5] : [4, 4, 4, 4, 3];
    var out = [];
    var at = 0;
    for (var i = 0; i < groups.length && at < digits.length; i++) {
      out.push(digits.slice(at, at + groups[i]));
      at += groups[i];
    }
    return out.join(" ");
  }

  function parseExpiry(value) {
    var match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(value);
    if (!match) return null;
    var month = +match[1];
    var year = match[2].length === 2 ? 2000 + +match[2] : +match[2];
    return { month: month, year: year };
  }

  var RULES = {
    "upi-vpa": function (value) {
      value = value.trim();
      if (!value) return "Enter your UPI ID.";
      if (!VPA.test(value)) return "Enter a valid UPI ID, like name@bank.";
      return "";
    },
    "card-number": function (value) {
      var digits = digitsOf(value);
      if (!digits) return "Enter your card number.";
      if (/[^\d\s]/.test(value) || digits.length < 12 || digits.length > 19) {
        return "Enter a card number of 12 to 19 digits.";
      }
      if (!luhnOk(digits)) return "This card number is not valid. Check it and try again.";
      if (!networkOf(digits)) return "We accept Visa, Mastercard, American Express and RuPay cards.";
      return "";
    },
    "card-expiry": function (value) {
      if (!value.trim()) return "Enter the expiry date.";
      var expiry = parseExpiry(value);
      if (!expiry || expiry.month < 1 || expiry.month > 12) return "Enter the expiry as MM/YY.";
      var now = new Date();
      var past = expiry.year < now.getFullYear() ||
        (expiry.year === now.getFullYear() && expiry.month < now.getMonth() + 1);
      if (past) return "This card has expired.";
      if (expiry.year > 2100) return "Enter the expiry as MM/YY.";
      return "";
    },
    "card-cvv": function (value) {
      var amex = likelyNetwork(digitsOf(field("card-number").value)) === "amex";
      var size = amex ? 4 : 3;
      if (!value) return "Enter the CVV.";
      if (!/^\d+$/.test(value) || value.length !== size) {
        return amex ? "Enter the 4-digit CVV on the front of the card." : "Enter the 3-digit CVV.";
      }
      return "";
    },
    "card-name": function (value) {
      if (!value.trim()) return "Enter the name on the card.";
      if (value.trim().length > 100) return "The name can be at most 100 characters.";
      return "";
    },
  };
  var FIELDS = {
    upi: ["upi-vpa"],
    card: ["card-number", "card-expiry", "card-cvv", "card-name"],
    wallet: ["wallet-choice"],
  };

  // The fields the chosen method asks for: none for a saved card (it is chosen, nothing is typed).
  function fieldsOf(chosen) {
    if (chosen === "card" && savedCard()) return [];
    return FIELDS[chosen];
  }

  function field(name) {
    return byTestId(name);
  }

  function setError(name, message) {
    var input = field(name);
    var error = byTestId("error-" + name);
    error.textContent = message;
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function check(name) {
    var message = RULES[name](field(name).value);
    setError(name, message);
    return !message;
  }

  // --- input behaviour -----------------------------------------------------------------------
  function reformat(input, formatted) {
    // Keep the caret after the same number of digits it followed before the reformat.
    var caret = input.selectionStart === null ? input.value.length : input.selectionStart;
    var digitsBefore = digitsOf(input.value.slice(0, caret)).length;
    input.value = formatted;
    var pos = 0;
    var seen = 0;
    while (pos < formatted.length && seen < digitsBefore) {
      if (/\d/.test(formatted.charAt(pos))) seen++;
      pos++;
    }
    if (document.activeElement === input) input.setSelectionRange(pos, pos);
  }

  function showNetwork() {
    var badge = field("card-network");
    var network = likelyNetwork(digitsOf(field("card-number").value));
    badge.setAttribute("data-network", network || "");
    badge.textContent = network ? NETWORK_NAMES[network] : "";
  }

  field("card-number").addEventListener("input", function (event) {
    var input = event.target;
    reformat(input, groupCard(digitsOf(input.value).slice(0, 19)));
    showNetwork();
  });

  field("card-expiry").addEventListener("input", function (event) {
    var input = event.target;
    var deleting = event.inputType && event.inputType.indexOf("delete") === 0;
    var digits = digitsOf(input.value).slice(0, 4);
    if (digits.length === 1 && +digits > 1) digits = "0" + digits; // "4" -> "04/"
    var formatted = digits.length > 2 || (digits.length === 2 && !deleting)
      ? digits.slice(0, 2) + "/" + digits.slice(2)
      : digits;
    reformat(input, formatted);
    if (!deleting && formatted.length === 3) input.setSelectionRange(3, 3);
  });

  field("card-cvv").addEventListener("input", function (event) {
    event.target.value = digitsOf(event.target.value).slice(0, 4);
  });

  Object.keys(RULES).forEach(function (name) {
    var input = field(name);
    // On blur: judge what was typed (an untouched empty field waits for submit).
    input.addEventListener("blur", function () {
      if (input.value.trim() || input.getAttribute("aria-invalid") === "true") check(name);
    });
    // Once a message shows, it goes away as soon as the value is right.
    input.addEventListener("input", function () {
      if (input.getAttribute("aria-invalid") === "true") check(name);
      formError.hidden = true;
    });
  });
  // The wallet: a radio group (not a text field), judged on submit; its message goes once one is chosen.
  function chosenWallet() {
    var checked = form.querySelector('input[name="wallet"]:checked');
    return checked ? checked.value : "";
  }
  RULES["wallet-choice"] = function () {
    return chosenWallet() ? "" : "Choose a wallet.";
  };
  field("wallet-choice").addEventListener("change", function () {
    check("wallet-choice");
    formError.hidden = true;
  });

  // The CVV's length depends on the card's network.
  field("card-number").addEventListener("blur", function () {
    if (field("card-cvv").value) check("card-cvv");
  });

  // --- saved cards and the consent box (an order made for a customer) ---------------------------
  var savedBox = byTestId("saved-cards");
  var newCard = byTestId("new-card");

  // The pm_… of the saved card chosen, or null for a new card (or when the order offers none).
  function savedCard() {
    if (savedBox.hidden) return null;
    var checked = form.querySelector('input[name="saved-card"]:checked');
    return checked && checked.value !== "new" ? checked.value : null;
  }

  function showChoice() {
    newCard.hidden = savedCard() !== null;
    formError.hidden = true;
  }

  function twoDigits(value) {
    return (value < 10 ? "0" : "") + value;
  }

  function savedCardOption(card) {
    var name = NETWORK_NAMES[card.network] || card.network;
    var expiry = twoDigits(card.expiry_month) + "/" + String(card.expiry_year).slice(-2);
    var option = document.createElement("label");
    option.className = "wallet-option saved-card-option";
    var radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "saved-card";
    radio.value = card.id;
    radio.setAttribute("data-test-id", "saved-card");
    radio.setAttribute("data-id", card.id);
    radio.setAttribute("aria-label", name + " ending in " + card.last4 + ", expires " + expiry);
    var facts = document.createElement("span");
    facts.className = "card-facts";
    var badge = document.createElement("span");
    badge.className = "network";
    badge.setAttribute("data-network", card.network);
    badge.textContent = name;
    var last4 = document.createElement("span");
    last4.textContent = "\u2022\u2022\u2022\u2022 " + card.last4;
    var expires = document.createElement("span");
    expires.className = "expiry";
    expires.textContent = "Expires " + expiry;
    facts.append(badge, last4, expires);
    option.append(radio, facts);
    return option;
  }

  function offerCards(publicOrder) {
    var cards = publicOrder.saved_cards || [];
    if (cards.length) {
      var list = byTestId("saved-card-list");
      cards.forEach(function (card) { list.appendChild(savedCardOption(card)); });
      list.querySelector("input").checked = true;
      savedBox.hidden = false;
      selectTab(byTestId("tab-card"), false); // the saved cards first
    }
    if (publicOrder.can_save_card) {
      root.querySelector(".save-card-merchant").textContent = publicOrder.merchant_name;
      byTestId("save-card-field").hidden = false;
    }
    showChoice();
  }

  savedBox.addEventListener("change", showChoice);

  // --- tabs ---------------------------------------------------------------------------------
  var tabs = Array.prototype.slice.call(root.querySelectorAll('[role="tab"]'));

  function selectTab(tab, focus) {
    tabs.forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    });
    method = tab.getAttribute("data-method");
    formError.hidden = true;
    if (focus) tab.focus();
  }

  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () { selectTab(tab, false); });
    tab.addEventListener("keydown", function (event) {
      var step = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: tabs.length - 1 - index }[event.key];
      if (step === undefined) return;
      event.preventDefault();
      selectTab(tabs[(index + step + tabs.length) % tabs.length], true);
    });
  });

  // --- paying -------------------------------------------------------------------------------
  var SERVER_FIELDS = {
    vpa: "upi-vpa",
    "card.number": "card-number",
    "card.expiry_month": "card-expiry",
    "card.expiry_year": "card-expiry",
    "card.cvv": "card-cvv",
    "card.holder_name": "card-name",
    wallet: "wallet-choice",
  };

  // Where a 3-D Secure challenge sends the payer back: this checkout, as it was opened.
  function returnUrl() {
    var here = new URL(window.location.href);
    here.searchParams.delete("payment_id");
    here.hash = "";
    return here.toString();
  }

  function paymentBody() {
    var saved = method === "card" ? savedCard() : null;
    if (saved) return { order_id: orderId, payment_method: saved, return_url: returnUrl() };
    if (method === "upi") return { order_id: orderId, method: "upi", vpa: field("upi-vpa").value.trim() };
    if (method === "wallet") {
      return { order_id: orderId, method: "wallet", wallet: chosenWallet(), return_url: returnUrl() };
    }
    var expiry = parseExpiry(field("card-expiry").value);
    return {
      order_id: orderId,
      method: "card",
      card: {
        number: digitsOf(field("card-number").value),
        expiry_month: expiry.month,
        expiry_year: expiry.year,
        cvv: field("card-cvv").value,
        holder_name: field("card-name").value.trim(),
      },
      save_payment_method: order.can_save_card && field("save-card").checked ? true : undefined,
      return_url: returnUrl(),
    };
  }

  function formFailure(message) {
    formError.textContent = message;
    formError.hidden = false;
    payButton.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (payButton.disabled) return;
    formError.hidden = true;
    var names = fieldsOf(method);
    var firstBad = null;
    names.forEach(function (name) {
      if (!check(name) && !firstBad) firstBad = name;
    });
    if (firstBad) {
      field(firstBad).focus();
      return;
    }
    payButton.disabled = true;
    var current = ++attempt;
    request("/payments/public", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": uuid() },
      body: JSON.stringify(paymentBody()),
    })
      .then(function (answer) {
        if (current !== attempt) return;
        if (answer.status === 201) {
          show("processing");
          poll(answer.body.id, current);
          return;
        }
        var error = (answer.body && answer.body.error) || {};
        var name = SERVER_FIELDS[error.field];
        if (name && fieldsOf(method).indexOf(name) >= 0) {
          payButton.disabled = false;
          setError(name, error.description || "Check this field.");
          field(name).focus();
        } else if (error.code === "INVALID_STATE" || /already paid/.test(error.description || "")) {
          show("paid");
        } else {
          formFailure(error.description || "We couldn't start the payment. Please try again.");
        }
      })
      .catch(function () {
        if (current === attempt) formFailure("We couldn't reach the payment server. Check your connection.");
      });
  });

  function poll(paymentId, current, returned) {
    pollTimer = window.setTimeout(function () {
      request("/payments/" + encodeURIComponent(paymentId) + "/public")
        .then(function (answer) {
          if (current !== attempt) return;
          var payment = answer.body || {};
          if (!answer.ok || payment.status === "pending") return poll(paymentId, current, returned);
          if (payment.status === "requires_action") {
            var action = payment.next_action && payment.next_action.redirect_to_url;
            // to the challenge, once: back from it, the payment is left to finish (or time out)
            if (action && action.url && !returned) return window.location.assign(action.url);
            return poll(paymentId, current, returned);
          }
          if (payment.status === "failed" || payment.status === "canceled") return failed(payment);
          succeeded(payment);
        })
        .catch(function () {
          if (current === attempt) poll(paymentId, current, returned);
        });
    }, POLL_MS);
  }

  function succeeded(payment) {
    byTestId("success-payment-id").textContent = payment.id;
    show("success");
    post({ type: "payment_success", payment_id: payment.id, order_id: orderId });
  }

  function failed(payment) {
    var description = payment.error_description || "The payment was declined.";
    description = description.charAt(0).toUpperCase() + description.slice(1);
    byTestId("failure-reason").textContent = description;
    show("failure");
    post({
      type: "payment_failed",
      order_id: orderId,
      payment_id: payment.id,
      error: { code: payment.error_code || "PAYMENT_FAILED", description: description },
    });
  }

  byTestId("retry-button").addEventListener("click", function () {
    attempt++;
    window.clearTimeout(pollTimer);
    payButton.disabled = false;
    show("form");
    var first = root.querySelector('[role="tab"][aria-selected="true"]');
    if (first) first.focus();
  });

  // --- embedded: close ------------------------------------------------------------------------
  if (embedded) {
    document.body.classList.add("embedded");
    var closeButton = byTestId("checkout-close");
    closeButton.hidden = false;
    closeButton.addEventListener("click", function () { post({ type: "close", order_id: orderId }); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") post({ type: "close", order_id: orderId });
    });
    // The modal fits its height to the panel's (on wide screens; phones get the full height).
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        post({ type: "resize", order_id: orderId, height: Math.ceil(root.getBoundingClientRect().height) });
      }).observe(root);
    }
  }

  // --- load the order -------------------------------------------------------------------------
  function fail(message) {
    root.querySelector(".state-error-text").textContent = message;
    show("error");
  }

  if (!orderId) {
    fail("The link has no order. Ask the merchant for a new payment link.");
    return;
  }
  request("/orders/" + encodeURIComponent(orderId) + "/public")
    .then(function (answer) {
      if (answer.status === 404 || answer.status === 400) {
        fail("We couldn't find order " + orderId + ". Check the link or ask the merchant for a new one.");
        return;
      }
      if (!answer.ok) {
        fail("The order couldn't be loaded right now. Please try again in a moment.");
        return;
      }
      order = answer.body;
      byTestId("checkout-merchant-name").textContent = order.merchant_name;
      var amount = formatAmount(order.amount, order.currency);
      byTestId("checkout-amount").textContent = amount;
      payButton.textContent = "Pay " + amount;
      document.title = "Pay " + order.merchant_name + " · paygate";
      offerCards(order);
      if (returnedPayment) {
        show("processing");
        poll(returnedPayment, ++attempt, true);
        return;
      }
      show(order.status === "paid" ? "paid" : "form");
    })
    .catch(function () {
      fail("We couldn't reach the payment server. Check your connection and reload.");
    });
})();
