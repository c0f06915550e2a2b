// Small helpers shared by the playground and the checker: numbers written the way the
// vectors and `backprop-spec trace` write them, the case as text, and the #case= link.
// Nothing here computes a trace: that is the JavaScript port's job (./port/*.mjs).

// Keys whose numbers are integers in a case file; every other number is a float.
const INTEGER_KEYS = new Set(["n_steps"]);

/**
 * A float as Python's repr writes it (the vectors' format): the shortest decimal that
 * reads back as the same binary64 number, always with a "." or an exponent.
 * pyRepr(2) -> "2.0", pyRepr(0.1 + 0.2) -> "0.30000000000000004", pyRepr(1e-5) -> "1e-05"
 */
export function pyRepr(value) {
  if (Object.is(value, -0)) return "-0.0";
  if (!Number.isFinite(value)) return String(value);
  const [mantissa, exponentText] = value.toExponential().split("e"); // shortest round trip
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  let text;
  if (exponent >= -4 && exponent < 16) {
    // Python's repr switches to an exponent below 1e-4 and from 1e16 on
    if (exponent >= digits.length - 1) {
      text = digits + "0".repeat(exponent - digits.length + 1) + ".0";
    } else if (exponent >= 0) {
      text = digits.slice(0, exponent + 1) + "." + digits.slice(exponent + 1);
    } else {
      text = "0." + "0".repeat(-exponent - 1) + digits;
    }
  } else {
    text = null;
  }
  if (text === null) {
    const sign = exponent < 0 ? "-" : "+";
    const size = String(Math.abs(exponent)).padStart(2, "0");
    const head = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    text = head + "e" + sign + size;
  }
  return (negative ? "-" : "") + text;
}

/** A number as a calculator shows it: 5 significant digits.  rounded(0.593269992) -> "0.59327" */
export function rounded(value) {
  if (value === null || value === undefined) return "null";
  if (Object.is(value, -0)) return "-0.0";
  const text = Number(value).toPrecision(5);
  return String(Number(text));
}

/** The case as the text of a case file, floats written with pyRepr (so 2.0 stays 2.0). */
export function caseText(value, indent = 2) {
  function write(item, key, depth) {
    const pad = " ".repeat(indent * (depth + 1));
    const end = " ".repeat(indent * depth);
    if (item === null) return "null";
    if (typeof item === "number") return INTEGER_KEYS.has(key) ? String(item) : pyRepr(item);
    if (typeof item === "string" || typeof item === "boolean") return JSON.stringify(item);
    if (Array.isArray(item)) {
      if (item.every((entry) => typeof entry === "number")) return "[" + item.map((entry) => write(entry, key, depth)).join(", ") + "]";
      return "[\n" + item.map((entry) => pad + write(entry, key, depth + 1)).join(",\n") + "\n" + end + "]";
    }
    const keys = Object.keys(item);
    return "{\n" + keys.map((name) => pad + JSON.stringify(name) + ": " + write(item[name], name, depth + 1)).join(",\n") + "\n" + end + "}";
  }
  return write(value, "", 0);
}

/** base64url of the UTF-8 text (no padding), for #case= links. */
export function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The text a base64url string holds. */
export function fromBase64Url(encoded) {
  const base64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/** The case in the address (#case=...), parsed, or null when there is none. */
export function caseFromAddress() {
  const match = /(?:^#|&)case=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (!match) return null;
  return JSON.parse(fromBase64Url(match[1]));
}

/** The compact case text a #case= link carries. */
export function caseLink(caseJson) {
  return "#case=" + toBase64Url(caseText(caseJson, 0).replace(/\n/g, ""));
}

/** A new element: el("p", {class: "x"}, "text", child, ...). */
export function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}
