/** The most telling line of a PostgreSQL tool's error output, without its program prefix. */
export function lastErrorLine(stderr: string, program: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const errors = lines.filter((l) => l.startsWith(`${program}: error:`) || /\b(ERROR|FATAL):/.test(l));
  const line = errors[errors.length - 1] ?? lines[lines.length - 1] ?? "";
  return line.replace(new RegExp(`^${program}: (error: )?`), "").replace(/\s+/g, " ");
}
