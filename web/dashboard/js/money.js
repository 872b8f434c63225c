// Money is integer minor units everywhere; these helpers never do float arithmetic on it.
// Exponents follow ISO 4217 as the gateway does (paygate/core/money.py): 0 and 3 listed, else 2.

const ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split(" ");
const THREE = "BHD IQD JOD KWD LYD OMR TND".split(" ");

export function exponent(currency) {
  const code = String(currency || "").toUpperCase();
  if (ZERO.includes(code)) return 0;
  if (THREE.includes(code)) return 3;
  return 2;
}

/** 5000, "INR" -> "50.00" (exact: built from the digits). */
export function minorToDecimal(minor, currency) {
  const exp = exponent(currency);
  const negative = BigInt(minor) < 0n;
  let digits = (negative ? -BigInt(minor) : BigInt(minor)).toString();
  if (exp === 0) return (negative ? "-" : "") + digits;
  digits = digits.padStart(exp + 1, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

const formatters = new Map();

/** 5000, "INR" -> "₹50.00" in the browser's locale, with exactly the currency's minor digits. */
export function formatMoney(minor, currency) {
  if (minor === null || minor === undefined) return "—";
  const code = String(currency || "INR").toUpperCase();
  const exp = exponent(code);
  let formatter = formatters.get(code);
  if (!formatter) {
    try {
      formatter = new Intl.NumberFormat(undefined, {
        style: "currency",
        currency: code,
        minimumFractionDigits: exp,
        maximumFractionDigits: exp,
      });
    } catch {
      formatter = { format: (value) => `${value} ${code}` };
    }
    formatters.set(code, formatter);
  }
  // Intl formats decimal strings exactly (no binary float in between).
  return formatter.format(minorToDecimal(minor, code));
}

/** Compact axis labels: 125000 minor INR -> "1.3K" (display only). */
export function compactMajor(minor, currency) {
  const value = Number(minorToDecimal(Math.round(minor), currency));
  return new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 }).format(value);
}

/**
 * What a person typed, in major units, to integer minor units by string parsing:
 * "10.5" INR -> 1050; "1,000" JPY -> 1000; "0.001" KWD -> 1. Throws an Error with a message to show.
 */
export function parseMajor(input, currency) {
  const exp = exponent(currency);
  const text = String(input ?? "").trim().replace(/[\s,_]/g, "");
  if (text === "") throw new Error("Enter an amount.");
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === "" && !match[2])) throw new Error("Enter an amount as a number, e.g. 10.50.");
  const whole = match[1] || "0";
  const fraction = (match[2] || "").replace(/0+$/, "");
  if (fraction.length > exp) {
    throw new Error(
      exp === 0 ? `${currency} has no minor unit: enter a whole number.` : `${currency} takes at most ${exp} decimal places.`,
    );
  }
  const minor = BigInt(whole + fraction.padEnd(exp, "0"));
  if (minor <= 0n) throw new Error("The amount must be greater than zero.");
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("The amount is too large.");
  return Number(minor);
}
