const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One shell word: single quotes, each `'` written as `'\''`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export type RemoteCommand = {
  /** The line the server's shell runs. */
  command: string;
  /** Written to the command's stdin first: one line per environment value, read by the wrapper before the command starts. */
  preamble: string;
};

/**
 * The command line for `command args` under a small `sh` wrapper that changes to `cwd` and reads the
 * environment values from stdin, so they never show on a command line (`ps`) and need no `AcceptEnv` on the
 * server. `read` in sh reads a pipe byte by byte, so the command gets the rest of stdin untouched. `exec`
 * makes the command the session's process: a signal from the client reaches it.
 */
export function remoteCommand(command: string, args: string[], options: { env?: Record<string, string>; cwd?: string }): RemoteCommand {
  const env = Object.entries(options.env ?? {});
  for (const [name, value] of env) {
    if (!VARIABLE_NAME.test(name)) throw new Error(`"${name}" is not a valid environment variable name (letters, digits and _, not starting with a digit)`);
    if (value.includes("\n")) throw new Error(`Environment variable ${name} cannot be passed over SSH: its value contains a line break`);
    if (value.includes("\0")) throw new Error(`Environment variable ${name} cannot be passed over SSH: its value contains a NUL byte`);
  }
  const steps: string[] = [];
  const words: string[] = [];
  if (options.cwd) {
    steps.push('cd -- "$1"', "shift");
    words.push(options.cwd);
  }
  if (env.length > 0) {
    const names = env.map(([name]) => name);
    steps.push(...names.map((name) => `IFS= read -r ${name}`), `export ${names.join(" ")}`);
  }
  steps.push('exec "$@"');
  words.push(command, ...args);
  return {
    command: ["exec sh -c", shellQuote(steps.join(" && ")), "sh", ...words.map(shellQuote)].join(" "),
    preamble: env.map(([, value]) => `${value}\n`).join(""),
  };
}
