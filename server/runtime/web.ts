import http from "node:http";
import next from "next";
import { env } from "@/server/env";
import { bufferBodyWithinCap, declaresTooLarge, refuseTooLarge } from "@/server/http/body-limit";
import { setClientHeaders } from "@/server/http/client-headers";
import { applySecurityHeaders } from "@/server/http/response-security";
import { handleDownload } from "./download-route";

export type WebServer = { close: () => Promise<void> };

/** The production Next.js server, in this process, behind the console's own request checks. */
export async function startWeb(options: { root: string; host: string; port: number }): Promise<WebServer> {
  const app = next({ dev: false, dir: options.root, hostname: options.host, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const { trustedProxies, publicUrl } = env();
  const https = publicUrl.startsWith("https:");

  const server = http.createServer((req, res) => {
    setClientHeaders(req, trustedProxies);
    applySecurityHeaders(req, res, { https });
    if (declaresTooLarge(req)) return refuseTooLarge(res);
    // Started before any await: body chunks may arrive right after the headers.
    const body = bufferBodyWithinCap(req);
    (async () => {
      const received = await body;
      if (received === "too_large") return refuseTooLarge(res);
      if (received === "aborted") return;
      if (!(await handleDownload(req, res))) await handle(req, res);
    })().catch((err: unknown) => {
      console.error("Request failed:", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal error; the details are in the server log");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "EADDRINUSE" ? new Error(`Port ${options.port} on ${options.host} is already in use: set PORT to a free port`) : err),
    );
    server.listen(options.port, options.host, resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
