import type { IncomingMessage, ServerResponse } from "node:http";
import { newNonce, securityHeaders } from "./security-headers";

/**
 * Puts the security headers on the response before anything answers it (pages, API, downloads, errors, 404s) and
 * the Content-Security-Policy on the request too: Next's renderer takes the nonce for its scripts from the
 * request's `content-security-policy` header. Any such header the client sent is overwritten.
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, options: { https: boolean }): void {
  const headers = securityHeaders({ nonce: newNonce(), https: options.https });
  req.headers["content-security-policy"] = headers["content-security-policy"];
  delete req.headers["content-security-policy-report-only"];
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}
