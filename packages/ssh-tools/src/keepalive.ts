import type { Client } from "ssh2";
import { ping } from "./ssh2-internals";

const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_MAX_UNANSWERED = 3;

/**
 * Pings the server on an unref'd timer (ssh2's own keepaliveInterval is referenced and would keep Node
 * running); a server that stops answering is disconnected, which fails whatever waits on the connection.
 */
export function startKeepalive(client: Client): void {
  let unanswered = 0;
  const timer = setInterval(() => {
    if (unanswered >= KEEPALIVE_MAX_UNANSWERED) {
      client.destroy();
      return;
    }
    unanswered++;
    ping(client, () => {
      unanswered = 0;
    });
  }, KEEPALIVE_INTERVAL_MS);
  timer.unref();
  client.once("close", () => clearInterval(timer));
}
