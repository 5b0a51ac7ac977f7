/** One line of GNU tar's errors, `--quoting-style=c` under LC_ALL=C: a name tar was given no longer exists. */
const VANISHED = /^[^\s"]+: "((?:[^"\\]|\\.)*)": Cannot (?:stat|open): No such file or directory$/;
/** tar's closing line after any error: it adds nothing. */
const CLOSING = /^[^\s"]+: Exiting with failure status due to previous errors$/;
/** A line beyond this is not one of tar's: it is cut, not buffered. */
const MAX_LINE = 64 * 1024;

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** The bytes a C-quoted name stands for (`\n`, `\"`, `\\`, `\:`, octal `\303`), as a latin1 string: one char a byte. */
function unquoteC(quoted: string): string {
  return quoted.replace(/\\([0-7]{1,3}|.)/g, (_, escape: string) => {
    if (/^[0-7]/.test(escape)) return String.fromCharCode(parseInt(escape, 8) & 0xff);
    const control = C_ESCAPES[escape];
    return control === undefined ? escape : String.fromCharCode(control);
  });
}

/**
 * Reads a `tar -c` run's error output as it comes (any amount: only what the verdict needs is kept): which of the
 * asked files tar found gone, and the first line that says anything else. Lines are read as bytes (latin1), since
 * tar writes names as the server's bytes.
 */
export class TarDiagnostics {
  /** Asked paths that tar said no longer exist. */
  readonly vanished = new Set<string>();
  /** The first line that is not about an asked file being gone, without tar's name. */
  unexplained: string | null = null;
  private partial = "";
  /** Each asked path by its UTF-8 bytes as latin1, the form tar's lines are read in. */
  private readonly byBytes = new Map<string, string>();

  constructor(asked: Iterable<string>) {
    for (const path of asked) this.byBytes.set(Buffer.from(path, "utf8").toString("latin1"), path);
  }

  write(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString("latin1")).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.read(line);
    if (this.partial.length > MAX_LINE) {
      this.read(this.partial.slice(0, 200));
      this.partial = "";
    }
  }

  end(): void {
    if (this.partial) this.read(this.partial);
    this.partial = "";
  }

  private read(line: string): void {
    if (line.trim() === "" || CLOSING.test(line)) return;
    const gone = VANISHED.exec(line);
    const path = gone ? this.byBytes.get(unquoteC(gone[1]!)) : undefined;
    if (path !== undefined) this.vanished.add(path);
    else this.unexplained ??= Buffer.from(line.replace(/^[^\s"]+: /, ""), "latin1").toString("utf8");
  }
}
