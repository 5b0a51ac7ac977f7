import type { ExecOptions } from "@safehold/plugin-api";

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

/** Runs the command (`"$@"`) at low priority when asked: `renice`/`ionice` of the wrapper itself, which every stage inherits. */
const LOW_PRIORITY = [
  "command -v renice >/dev/null 2>&1 && renice -n 10 -p $$ >/dev/null 2>&1",
  "command -v ionice >/dev/null 2>&1 && ionice -c3 -p $$ >/dev/null 2>&1",
  ":",
];

/**
 * The command in a pipeline with the codec program (`$c`): `c -dc | command` and/or `command | c [-level] -c`. dash has no
 * pipefail, so each stage writes its status to fd 3 (collected by the `$(…)`), and fd 4 carries the real output.
 * The command's own failure is reported first, then the codec's. A command that is not installed fails like the
 * `exec` path does ("exec: CMD: not found", status 127), so the not-installed message is the same.
 */
function pipelineSteps(decompress: boolean, compress: boolean, level: number | undefined): string {
  const stage = (run: string, name: string) => `{ ${run} 3>&- 4>&-; echo ${name}=$? >&3; }`;
  const stages = [
    ...(decompress ? [stage('"$c" -dc', "z")] : []),
    stage(compress ? '"$@"' : '"$@" >&4', "s"),
    ...(compress ? [stage(`"$c"${level === undefined ? "" : ` -${level}`} -c >&4`, "z")] : []),
  ];
  const lines = [
    'c=$1; shift',
    'command -v "$1" >/dev/null 2>&1 || { printf "sh: exec: %s: not found\\n" "$1" >&2; exit 127; }',
    "exec 4>&1",
    `r=$( { ${stages.join(" | ")}; } 3>&1 )`,
    "s=1; z=1",
    'for x in $r; do case $x in s=*) s=${x#s=};; z=*) z=${x#z=};; esac; done',
    '[ "$s" = 0 ] || exit "$s"',
    'exit "$z"',
  ];
  return `{ ${lines.join("\n")}\n}`;
}

/**
 * The command line for `command args` under a small `sh` wrapper that changes to `cwd` and reads the
 * environment values from stdin, so they never show on a command line (`ps`) and need no `AcceptEnv` on the
 * server. `read` in sh reads a pipe byte by byte, so the command gets the rest of stdin untouched. Without a
 * codec, `exec` makes the command the session's process: a signal from the client reaches it.
 */
export function remoteCommand(command: string, args: string[], options: Pick<ExecOptions, "env" | "cwd" | "compressOutput" | "decompressInput" | "lowPriority">): RemoteCommand {
  const env = Object.entries(options.env ?? {});
  for (const [name, value] of env) {
    if (!VARIABLE_NAME.test(name)) throw new Error(`"${name}" is not a valid environment variable name (letters, digits and _, not starting with a digit)`);
    if (value.includes("\n")) throw new Error(`Environment variable ${name} cannot be passed over SSH: its value contains a line break`);
    if (value.includes("\0")) throw new Error(`Environment variable ${name} cannot be passed over SSH: its value contains a NUL byte`);
  }
  const codec = options.compressOutput ?? options.decompressInput;
  if (options.compressOutput && options.decompressInput && options.compressOutput.program !== options.decompressInput.program) {
    throw new Error("Compressing output and decompressing input on the server take the same program");
  }
  const level = options.compressOutput?.level;
  // The level is written into the script itself: only a digit may get there.
  if (level !== undefined && !(Number.isInteger(level) && level >= 1 && level <= 9)) throw new Error(`Compression level ${String(level)} is not a whole number from 1 to 9`);
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
  if (options.lowPriority) steps.push(`{ ${LOW_PRIORITY.join("; ")}; }`);
  if (codec) {
    steps.push(pipelineSteps(Boolean(options.decompressInput), Boolean(options.compressOutput), level));
    words.push(codec.program);
  } else {
    steps.push('exec "$@"');
  }
  words.push(command, ...args);
  return {
    command: ["exec sh -c", shellQuote(steps.join(" && ")), "sh", ...words.map(shellQuote)].join(" "),
    preamble: env.map(([, value]) => `${value}\n`).join(""),
  };
}
