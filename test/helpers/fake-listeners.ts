import http from "node:http";
import net from "node:net";
import ssh2 from "ssh2";

/** A listener standing in for a host an attacker chose: it records every credential a client offers it. */
export type FakeListener = { host: string; port: number; received: string[]; connections: number; stop: () => Promise<void> };

async function listen(server: net.Server, state: { received: string[]; connections: number }, host = "127.0.0.1"): Promise<FakeListener> {
  server.on("connection", () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host,
    port,
    get received() {
      return state.received;
    },
    get connections() {
      return state.connections;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A PostgreSQL ErrorResponse message. */
function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0C${code}\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

/** A PostgreSQL server that asks for the password in clear text (as a server may) and keeps it. */
export function fakePostgres(): Promise<FakeListener> {
  const state = { received: [] as string[], connections: 0 };
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("error", () => {});
    socket.on("data", (data) => {
      buffer = Buffer.concat([buffer, data]);
      if (!started && buffer.length >= 8 && buffer.length >= buffer.readInt32BE(0)) {
        const length = buffer.readInt32BE(0);
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(length);
        // SSLRequest / GSSENCRequest: "not here", the client goes on in plain text.
        if (code === 80877103 || code === 80877104) return void socket.write("N");
        started = true;
        const ask = Buffer.alloc(9);
        ask.write("R", 0);
        ask.writeInt32BE(8, 1);
        ask.writeInt32BE(3, 5);
        socket.write(ask);
        return;
      }
      if (started && buffer.length >= 5 && buffer[0] === 0x70 && buffer.length >= 1 + buffer.readInt32BE(1)) {
        state.received.push(buffer.subarray(5, buffer.readInt32BE(1)).toString("utf8").replace(/\0$/, ""));
        socket.end(errorResponse("28P01", "password authentication failed"));
      }
    });
  });
  return listen(server, state);
}

/** An FTP server that takes any user and keeps the password it is sent. */
export function fakeFtp(): Promise<FakeListener> {
  const state = { received: [] as string[], connections: 0 };
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.write("220 ready\r\n");
    let pending = "";
    socket.on("data", (data) => {
      pending += data.toString("utf8");
      let end;
      while ((end = pending.indexOf("\r\n")) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const [verb, ...rest] = line.split(" ");
        if (verb === "USER") socket.write("331 password please\r\n");
        else if (verb === "PASS") {
          state.received.push(rest.join(" "));
          socket.write("530 no\r\n");
        } else socket.write("502 no\r\n");
      }
    });
  });
  return listen(server, state);
}

/** An SSH server with a host key of its own that records every password and public key offered to it, and refuses them. */
export function fakeSsh(): Promise<FakeListener> {
  const state = { received: [] as string[], connections: 0 };
  const hostKey = ssh2.utils.generateKeyPairSync("ed25519").private;
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on("error", () => {});
    client.on("authentication", (ctx) => {
      if (ctx.method === "password") state.received.push(`password:${ctx.password}`);
      else if (ctx.method === "publickey") state.received.push(`publickey:${ctx.key.algo}`);
      else if (ctx.method === "keyboard-interactive") {
        return ctx.prompt([{ prompt: "Password: ", echo: false }], (answers) => {
          state.received.push(`password:${answers[0]}`);
          ctx.reject();
        });
      }
      ctx.reject(["password", "publickey", "keyboard-interactive"]);
    });
  });
  return listen(server as unknown as net.Server, state);
}

/** An HTTP server that records each request it gets (standing in for a cloud's metadata service). */
export function fakeHttp(host = "127.0.0.1"): Promise<FakeListener> {
  const state = { received: [] as string[], connections: 0 };
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", (data) => {
      state.received.push(data.toString("utf8").split("\r\n")[0]!);
      socket.end("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\nconnection: close\r\n\r\nsecret-token\n");
    });
  });
  return listen(server, state, host);
}

/** One request a webhook listener received: its path, the `x-safehold-event` header and the JSON body. */
export type ReceivedHook = { path: string; event: string | undefined; body: Record<string, unknown> };

/** A webhook receiver over real HTTP that answers 204 and keeps every JSON request it is sent. */
export async function webhookListener(): Promise<{ url: string; hooks: ReceivedHook[]; stop: () => Promise<void> }> {
  const hooks: ReceivedHook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hooks.push({ path: req.url ?? "", event: req.headers["x-safehold-event"] as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hooks, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
