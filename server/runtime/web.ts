import http from "node:http";
import next from "next";
import { handleDownload } from "./download-route";

export type WebServer = { close: () => Promise<void> };

/** The production Next.js server, in this process. */
export async function startWeb(options: { root: string; host: string; port: number }): Promise<WebServer> {
  const app = next({ dev: false, dir: options.root, hostname: options.host, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer((req, res) => {
    handleDownload(req, res)
      .then((handled) => (handled ? undefined : handle(req, res)))
      .catch((err: unknown) => {
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
