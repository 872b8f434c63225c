// The one way the dashboard talks to the gateway: same origin, the session cookie, and the
// X-Paygate-Dashboard header (the CSRF guard: a cross-site page cannot send it without a preflight).

export class ApiError extends Error {
  constructor(status, code, description, field) {
    super(description);
    this.status = status;
    this.code = code;
    this.description = description;
    this.field = field;
  }
}

let onUnauthorized = () => {};

/** Called on any 401 (except where the caller handles it, as the login form does). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export async function request(method, path, { body, query, headers, handle401 = false } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const init = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: { "X-Paygate-Dashboard": "1", Accept: "application/json", ...(headers || {}) },
  };
  if (body !== undefined || method === "POST" || method === "PATCH") {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new ApiError(0, "NETWORK_ERROR", `Could not reach the gateway (${error.message}).`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) return data;
  const err = (data && data.error) || {};
  const description =
    err.description || (data && data.message) || `${response.status} ${response.statusText || "error"}`.trim();
  const error = new ApiError(response.status, err.code || `HTTP_${response.status}`, description, err.field);
  if (response.status === 401 && !handle401) onUnauthorized(error);
  throw error;
}

export const api = {
  get: (path, query, options) => request("GET", path, { query, ...options }),
  post: (path, body, options) => request("POST", path, { body, ...options }),
  patch: (path, body, options) => request("PATCH", path, { body, ...options }),
};

/** A v4 UUID; crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
export function uuid() {
  if (crypto.randomUUID) {
    try {
      return crypto.randomUUID();
    } catch {
      /* insecure context: fall through */
    }
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
