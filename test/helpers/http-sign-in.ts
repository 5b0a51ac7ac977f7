/** Signing in over HTTP the way the sign-in page does (next-auth's credentials callback), for tests that hold cookies. */
import superjson from "superjson";

export type SignInAnswer = {
  cookie: string | null;
  error: string | null;
  status: number;
  /** Where next-auth sends the browser next. */
  url: string | null;
  /** The session cookie's Set-Cookie line, attributes included. */
  setCookie: string | null;
};

function cookiesOf(response: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const [name, ...value] = pair!.split("=");
    jar.set(name!.trim(), value.join("="));
  }
  return jar;
}

/**
 * Signs in with email + password (+ code); `cookie` is the Cookie header to send afterwards, `error` the message
 * the sign-in page would show. `headers` lets a test pose as a client behind a proxy.
 */
async function csrfFor(baseUrl: string, headers: Record<string, string>) {
  const response = await fetch(`${baseUrl}/api/auth/csrf`, { headers });
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { csrfToken, cookie: [...cookiesOf(response)].map(([k, v]) => `${k}=${v}`).join("; ") };
}

export async function signInOverHttp(
  baseUrl: string,
  credentials: { email: string; password: string; code?: string; callbackUrl?: string },
  headers: Record<string, string> = {},
): Promise<SignInAnswer> {
  const { csrfToken, cookie: csrfCookie } = await csrfFor(baseUrl, headers);
  const { code, callbackUrl } = credentials;
  const body = new URLSearchParams({ csrfToken, email: credentials.email, password: credentials.password, json: "true", ...(code ? { code } : {}), ...(callbackUrl ? { callbackUrl } : {}) });
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body,
  });
  const answer = (await response.json().catch(() => ({}))) as { url?: string };
  const error = answer.url ? new URL(answer.url).searchParams.get("error") : null;
  const session = [...cookiesOf(response)].find(([name]) => name.endsWith("next-auth.session-token"));
  const setCookie = response.headers.getSetCookie().find((line) => line.split("=")[0]!.endsWith("next-auth.session-token")) ?? null;
  return { cookie: session && !error ? `${session[0]}=${session[1]}` : null, error, status: response.status, url: answer.url ?? null, setCookie };
}

/** Signs out as the sign-out button does (next-auth's signout endpoint, with its CSRF token). */
export async function signOutOverHttp(baseUrl: string, cookie: string): Promise<number> {
  const { csrfToken, cookie: csrfCookie } = await csrfFor(baseUrl, { cookie });
  const response = await fetch(`${baseUrl}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: `${cookie}; ${csrfCookie}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
  return response.status;
}

/** A tRPC call over HTTP with a session cookie: `{ status, body }` with the result or the error's `{ message, data }`. */
export async function trpcWithCookie(baseUrl: string, cookie: string, procedure: string, input?: unknown, kind: "query" | "mutation" = "query") {
  const serialized = JSON.stringify(superjson.serialize(input));
  const headers = { cookie, "content-type": "application/json" };
  const response =
    kind === "mutation"
      ? await fetch(`${baseUrl}/api/trpc/${procedure}`, { method: "POST", headers, body: serialized })
      : await fetch(`${baseUrl}/api/trpc/${procedure}?input=${encodeURIComponent(serialized)}`, { headers });
  const answer = (await response.json()) as { result?: { data: { json: unknown } }; error?: { json: { message: string } } };
  return { status: response.status, body: (answer.result ? answer.result.data.json : answer.error?.json) as Record<string, unknown> };
}
