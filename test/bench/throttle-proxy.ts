import net from "node:net";
import { Transform } from "node:stream";

/**
 * A token bucket shared by every connection in one direction: `rate` bytes per second with `burst` bytes of
 * credit. Each chunk waits until the link would have carried it, so a stream sees the link's speed, not more.
 */
class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Milliseconds to wait before `bytes` may pass (the tokens are taken now: the next chunk waits behind it). */
  take(bytes: number): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }
}

function throttled(bucket: TokenBucket, count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      count(chunk.length);
      const wait = bucket.take(chunk.length);
      if (wait <= 0) return done(null, chunk);
      setTimeout(() => done(null, chunk), wait);
    },
  });
}

export type ThrottleProxy = {
  port: number;
  /** Bytes carried so far: `up` from the client to the target (e.g. a restore's dump), `down` back (a backup's). */
  bytes(): { up: number; down: number };
  stop(): Promise<void>;
};

/**
 * A TCP proxy on 127.0.0.1 in front of `target`, limited to `mbitPerSecond` in each direction (a WAN link to a
 * client's server), counting the bytes it carries each way.
 */
export async function startThrottleProxy(target: { host: string; port: number }, mbitPerSecond: number): Promise<ThrottleProxy> {
  const rate = (mbitPerSecond * 1_000_000) / 8;
  const burst = 64 * 1024;
  const up = new TokenBucket(rate, burst);
  const down = new TokenBucket(rate, burst);
  const counted = { up: 0, down: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(throttled(up, (n) => (counted.up += n))).pipe(upstream);
    upstream.pipe(throttled(down, (n) => (counted.down += n))).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    bytes: () => ({ ...counted }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
