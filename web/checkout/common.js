/* Shared by the hosted checkout pages (checkout.js, challenge/challenge.js for the 3-D Secure and
 * wallet pages): the API's address, an amount in minor units shown with its currency's exponent
 * (paygate/core/money.py), and one fetch that answers {status, ok, body}. */
window.PaygateCheckout = (function () {
  "use strict";

  var API = "/api/v1";
  // ISO 4217 exponents that are not 2 (paygate/core/money.py).
  var ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split(" ");
  var THREE = "BHD IQD JOD KWD LYD OMR TND".split(" ");

  function exponent(currency) {
    if (ZERO.indexOf(currency) >= 0) return 0;
    if (THREE.indexOf(currency) >= 0) return 3;
    return 2;
  }

  function formatAmount(minor, currency) {
    var digits = exponent(currency);
    var value = minor / Math.pow(10, digits);
    try {
      return new Intl.NumberFormat(undefined, {
        style: "currency",
        currency: currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(value);
    } catch (e) {
      return value.toFixed(digits) + " " + currency;
    }
  }

  function request(path, options) {
    return fetch(API + path, options).then(function (response) {
      return response
        .json()
        .catch(function () { return {}; })
        .then(function (body) { return { status: response.status, ok: response.ok, body: body }; });
    });
  }

  return { API: API, exponent: exponent, formatAmount: formatAmount, request: request };
})();
