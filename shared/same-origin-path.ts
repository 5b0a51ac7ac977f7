const BASE = "http://console.invalid";

/**
 * Where to go after signing in: `value` as a path on the console's own origin, or "/" when it would lead anywhere
 * else. The URL parser decides, as the browser will (it drops tabs and newlines and reads `\` as `/`), and the
 * result never starts with `//`, which a browser would read as another host.
 */
export function sameOriginPath(value: string | null | undefined): string {
  if (!value) return "/";
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  return `${url.pathname.replace(/^\/+/, "/")}${url.search}${url.hash}`;
}
