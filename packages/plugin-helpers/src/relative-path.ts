/**
 * Why `path` is not a plain path inside a folder (`ab/ab12…`), or null when it is. Plain means relative, without
 * `.`, `..` or empty parts, and without NUL: the one spelling a server's listing and its `tar` agree on.
 */
export function unsafeRelativePath(path: string): string | null {
  if (path === "") return "it is empty";
  if (path.includes("\0")) return "it holds a NUL byte";
  if (path.startsWith("/")) return "it is an absolute path";
  const parts = path.split("/");
  if (parts.includes("..")) return 'it leaves the folder through ".."';
  if (parts.some((part) => part === "" || part === ".")) return 'it has an empty or "." part';
  return null;
}

/** A file name as a message shows it: quoted, with `"`, `\\`, control characters and bytes that are not UTF-8 escaped. */
export function shownName(name: string | Buffer): string {
  const bytes = typeof name === "string" ? Buffer.from(name, "utf8") : name;
  let out = "";
  let i = 0;
  while (i < bytes.length && out.length < 200) {
    const length = utf8SequenceLength(bytes, i);
    const byte = bytes[i]!;
    if (length === 0 || byte < 0x20 || byte === 0x7f) out += ESCAPES[byte] ?? `\\x${byte.toString(16).padStart(2, "0")}`;
    else if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else out += bytes.subarray(i, i + length).toString("utf8");
    i += Math.max(length, 1);
  }
  return `"${out}${i < bytes.length ? "…" : ""}"`;
}

const ESCAPES: Record<number, string> = { 0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r" };

/** The length of the valid UTF-8 sequence starting at `at`, or 0 when the byte there starts none. */
function utf8SequenceLength(bytes: Buffer, at: number): number {
  for (let length = 1; length <= 4 && at + length <= bytes.length; length++) {
    if (strictUtf8(bytes.subarray(at, at + length)) !== null) return length;
  }
  return 0;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** `bytes` as UTF-8 text, or null when they are not valid UTF-8. */
export function strictUtf8(bytes: Buffer): string | null {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return null;
  }
}
