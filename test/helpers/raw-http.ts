import http from "node:http";

export type RawAnswer = { status: number; body: string; bytesSent: number };

function collect(res: http.IncomingMessage, bytesSent: () => number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (d: string) => (body += d));
    res.on("end", () => resolve({ status: res.statusCode ?? 0, body, bytesSent: bytesSent() }));
    res.on("error", () => resolve({ status: res.statusCode ?? 0, body, bytesSent: bytesSent() }));
  });
}

/**
 * A POST that declares `declaredLength` bytes in Content-Length and sends none of them: only a server that decides
 * on the header alone answers. Status 0 when nothing came back within `waitMs`.
 */
export function postDeclaringLength(url: string, headers: Record<string, string>, declaredLength: number, waitMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...headers, "content-length": String(declaredLength) } });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: 0, body: "", bytesSent: 0 });
    }, waitMs);
    req.on("response", (res) => collect(res, () => 0).then((answer) => (clearTimeout(timer), resolve(answer))));
    req.on("error", (err) => (clearTimeout(timer), reject(err)));
    req.flushHeaders();
  });
}

/**
 * A chunked POST (no Content-Length) of `prefix`, `total` bytes of padding and `suffix`, written 64 KiB every few
 * milliseconds (a client on a real network) and stopped as soon as the server answers: `bytesSent` says how
 * much it took.
 */
export function postChunked(url: string, headers: Record<string, string>, parts: { prefix: string; total: number; suffix: string }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers });
    let sent = 0;
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      void collect(res, () => sent).then(resolve);
    });
    // Once the server has answered and closed the connection, writing on fails; the answer is what counts.
    req.on("error", (err) => (answered ? undefined : reject(err)));
    const chunk = Buffer.alloc(64 * 1024, "a");
    const write = (data: string | Buffer) =>
      new Promise<void>((done) => {
        sent += Buffer.byteLength(data);
        const pause = () => setTimeout(done, 5);
        if (!req.write(data)) req.once("drain", pause);
        else pause();
      });
    void (async () => {
      await write(parts.prefix);
      for (let padded = 0; padded < parts.total && !answered && !req.destroyed; padded += chunk.length) await write(chunk);
      if (!answered && !req.destroyed) req.end(parts.suffix);
    })();
  });
}
