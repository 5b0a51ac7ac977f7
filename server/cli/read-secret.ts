import readline from "node:readline";
import { Writable } from "node:stream";

async function readAllStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

/** One line typed at the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
    muted = true;
  });
}

/**
 * A secret for a CLI command, never from argv (which shell history and the process list keep): typed at a prompt
 * (twice when `confirm`), or the first line of standard input when it is not a terminal. Empty is refused unless
 * `allowEmpty`.
 */
export async function readSecret(label: string, options: { confirm?: boolean; allowEmpty?: boolean } = {}): Promise<string> {
  if (!process.stdin.isTTY) {
    const line = (await readAllStdin()).split(/\r?\n/)[0] ?? "";
    if (!line && !options.allowEmpty) throw new Error(`Give the ${label} on standard input (e.g. from a password manager's CLI) or run the command in a terminal to be asked for it`);
    return line;
  }
  const first = await promptHidden(`${label[0]!.toUpperCase()}${label.slice(1)}: `);
  if (options.confirm && (await promptHidden(`Repeat the ${label}: `)) !== first) throw new Error(`The two ${label}s differ`);
  return first;
}

/** Refuses a secret passed as a flag, saying where it goes instead. */
export function refuseSecretFlag(flag: string | undefined, label: string): void {
  if (flag !== undefined) {
    throw new Error(`The ${label} is not taken on the command line (shell history and the process list keep it): leave out --password and type it at the prompt, or pipe it on standard input`);
  }
}
