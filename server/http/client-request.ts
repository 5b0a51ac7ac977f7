/**
 * What the console's HTTP server learned about the client before handing a request to Next: the client's
 * address (from the socket, or from the X-Forwarded-For entries SAFEHOLD_TRUSTED_PROXIES trusts) and whether it
 * reached the console over https. The server removes any copy of these headers the client sent, so code behind
 * it can trust them.
 */
export const CLIENT_ADDRESS_HEADER = "x-safehold-client-address";
export const CLIENT_PROTO_HEADER = "x-safehold-client-proto";
/** The path and query the client asked for, as the server received it (pages behind sign-in send the user back to it). */
export const REQUEST_PATH_HEADER = "x-safehold-request-path";

type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined;

function read(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The client's address, or null when the request did not come through the console's HTTP server. */
export function clientAddress(headers: HeaderSource): string | null {
  return read(headers, CLIENT_ADDRESS_HEADER) || null;
}

/** Whether the client reached the console over https (directly, or as a trusted proxy says). */
export function clientUsedHttps(headers: HeaderSource): boolean {
  return read(headers, CLIENT_PROTO_HEADER) === "https";
}
