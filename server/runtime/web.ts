import http from "node:http";
import next from "next";
import { env } from "@/server/env";
import { bufferBodyWithinCap, declaresTooLarge, isUploadPath, refuseTooLarge } from "@/server/http/body-limit";
import { setClientHeaders } from "@/server/http/client-headers";
import { restoreDeclaredLength } from "@/server/http/declared-length";
import { applySecurityHeaders } from "@/server/http/response-security";

export type WebServer = { close: () => Promise<void> };

/**
 * The production Next.js server behind the console's own request checks. Everything that answers a request
 * (routes, pages, downloads) runs inside Next's module graph; this file and what it imports hold no state
 * shared with it (test/server/web-module-graph.test.ts keeps it so).
 */
export async function startWeb(options: { root: string; host: string; port: number }): Promise<WebServer> {
  const app = next({ dev: false, dir: options.root, hostname: options.host, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const { trustedProxies, publicUrl } = env();
  const https = publicUrl.startsWith("https:");

  const server = http.createServer((req, res) => {
    setClientHeaders(req, trustedProxies);
    applySecurityHeaders(req, res, { https });
    restoreDeclaredLength(res);
    if (isUploadPath(req.url)) {
      // Checked and streamed on by the upload route itself (server/imports/upload-server.ts).
      handle(req, res).catch((err: unknown) => {
        console.error("Upload request failed:", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("Internal error; the details are in the server log");
      });
      return;
    }
    if (declaresTooLarge(req)) return refuseTooLarge(res);
    // Started before any await: body chunks may arrive right after the headers.
    const body = bufferBodyWithinCap(req);
    (async () => {
      const received = await body;
      if (received === "too_large") return refuseTooLarge(res);
      if (received === "aborted") return;
      await handle(req, res);
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
