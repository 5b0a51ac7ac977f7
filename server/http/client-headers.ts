import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { CLIENT_ADDRESS_HEADER, CLIENT_PROTO_HEADER, REQUEST_PATH_HEADER } from "./client-request";
import { resolveClientOrigin } from "./client-origin";
import type { TrustedProxies } from "./trusted-proxies";

/**
 * Replaces whatever the client sent as the console's client headers with what the server itself learned: code
 * behind the server (sign-in throttling, cookie flags) reads these and must never read a client's claim.
 */
export function setClientHeaders(req: IncomingMessage, trusted: TrustedProxies): void {
  delete req.headers[CLIENT_ADDRESS_HEADER];
  delete req.headers[CLIENT_PROTO_HEADER];
  const origin = resolveClientOrigin(
    {
      socketAddress: req.socket.remoteAddress,
      tls: (req.socket as Partial<TLSSocket>).encrypted === true,
      forwardedFor: req.headers["x-forwarded-for"],
      forwardedProto: req.headers["x-forwarded-proto"],
    },
    trusted,
  );
  if (origin.address) req.headers[CLIENT_ADDRESS_HEADER] = origin.address;
  req.headers[CLIENT_PROTO_HEADER] = origin.proto;
  req.headers[REQUEST_PATH_HEADER] = req.url ?? "/";
}
