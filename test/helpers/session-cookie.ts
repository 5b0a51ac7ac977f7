/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";", 1)[0]!)
    .join("; ");
}

/**
 * Signs in over HTTP the way the sign-in page does (next-auth's CSRF token, then the credentials callback) and
 * returns the Cookie header a browser would then send: what a page of another origin rides on.
 */
export async function sessionCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signedIn = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookiesOf(csrf) },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const cookie = cookiesOf(signedIn);
  if (!/session-token=/.test(cookie)) throw new Error(`sign-in as ${email} failed (${signedIn.status}): ${await signedIn.text()}`);
  return cookie;
}
