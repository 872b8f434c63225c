/* paygate checkout SDK. The embeddable SDK is built in the checkout issue; until then this file only
   announces its version so pages can detect it. */
(function (global) {
  "use strict";
  global.Paygate = global.Paygate || { version: "0.0.0" };
})(typeof window !== "undefined" ? window : this);
