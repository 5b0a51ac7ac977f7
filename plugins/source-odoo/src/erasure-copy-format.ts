/** PostgreSQL's COPY text format, as a plain pg_dump writes table data: tab-separated fields, `\N`, backslash escapes. */

const ESCAPES: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
const ENCODED: Record<string, string> = { "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };

/** One field's text (null for `\N`), escapes decoded on bytes so octal and hex escapes of UTF-8 bytes come out right. */
export function decodeCopyField(raw: string): string | null {
  if (raw === "\\N") return null;
  if (!raw.includes("\\")) return raw;
  const input = Buffer.from(raw, "utf8");
  const out = Buffer.alloc(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte !== 0x5c || i + 1 >= input.length) {
      out[n++] = byte;
      continue;
    }
    const next = String.fromCharCode(input[++i]!);
    if (next in ESCAPES) out[n++] = ESCAPES[next]!;
    else if (/[0-7]/.test(next)) {
      let digits = next;
      while (digits.length < 3 && i + 1 < input.length && /[0-7]/.test(String.fromCharCode(input[i + 1]!))) digits += String.fromCharCode(input[++i]!);
      out[n++] = parseInt(digits, 8) & 0xff;
    } else if (next === "x" && i + 1 < input.length && /[0-9a-fA-F]/.test(String.fromCharCode(input[i + 1]!))) {
      let digits = String.fromCharCode(input[++i]!);
      if (i + 1 < input.length && /[0-9a-fA-F]/.test(String.fromCharCode(input[i + 1]!))) digits += String.fromCharCode(input[++i]!);
      out[n++] = parseInt(digits, 16);
    } else out[n++] = input[i]!;
  }
  return out.subarray(0, n).toString("utf8");
}

/** A value as a COPY field. */
export function encodeCopyField(value: string | null): string {
  if (value === null) return "\\N";
  return value.replace(/[\\\b\f\n\r\t\v]/g, (c) => ENCODED[c]!);
}

/** Splits an identifier list such as `id, name, "user", "odd ""name"""` (pg_dump quotes only where needed). */
function identifiers(list: string): string[] | null {
  const names: string[] = [];
  const pattern = /\s*(?:"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_$]*))\s*(,|$)/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < list.length && (match = pattern.exec(list))) {
    names.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!.toLowerCase());
    if (match[3] === "") break;
  }
  return pattern.lastIndex === list.length ? names : null;
}

export type CopyHeader = { schema: string; table: string; columns: string[] };

/** Reads `COPY public.res_partner (id, name, ...) FROM stdin;`; null for any other line. */
export function parseCopyHeader(line: string): CopyHeader | null {
  const match = /^COPY ((?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)\.(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)) \((.*)\) FROM stdin;$/.exec(line);
  if (!match) return null;
  const name = identifiers(match[1]!.replace(/\.(?=(?:[^"]*"[^"]*")*[^"]*$)/, ","));
  const columns = identifiers(match[2]!);
  if (!name || name.length !== 2 || !columns) return null;
  return { schema: name[0]!, table: name[1]!, columns };
}
