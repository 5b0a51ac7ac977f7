/**
 * One secret line for a CLI command, never from argv (which other users of the host can read in the process list):
 * typed at a prompt with echo off when standard input is a terminal, otherwise the first line of standard input.
 */
export async function readSecretInput(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = "";
    for await (const chunk of stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? "";
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = "";
      const onData = (chars: string) => {
        for (const char of chars) {
          if (char === "\r" || char === "\n") {
            stdin.off("data", onData);
            return resolve(typed);
          }
          if (char === "\u0003") {
            stdin.off("data", onData);
            return reject(new Error("Cancelled"));
          }
          typed = char === "\u007f" || char === "\b" ? typed.slice(0, -1) : typed + char;
        }
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write("\n");
  }
}
