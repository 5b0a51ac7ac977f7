import { randomBytes } from "node:crypto";

/** A fresh CSP nonce for one response (128 random bits, base64, which Next's nonce reader accepts). */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/** The nonce in a policy made by contentSecurityPolicy (pages read it from their request to nonce inline scripts). */
export function nonceOf(policy: string | null | undefined): string | undefined {
  return policy ? /'nonce-([^']+)'/.exec(policy)?.[1] : undefined;
}

/**
 * The console's Content-Security-Policy. Scripts run only with this response's nonce (Next puts it on its inline
 * and chunk scripts) and what those load ('strict-dynamic'); no eval. Styles keep 'unsafe-inline': React renders
 * `style` attributes, and a nonce in style-src would switch 'unsafe-inline' off.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Headers for every response. No Referer ever leaves the console: download links carry their token in the path.
 * HSTS only when the console's public URL is https (sent over http it would be ignored, and a console reached by
 * IP over http must stay reachable); no includeSubDomains: the console does not own its parent domain's hosts.
 */
export function securityHeaders(options: { nonce: string; https: boolean }): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(options.nonce),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    ...(options.https ? { "strict-transport-security": "max-age=31536000" } : {}),
  };
}
