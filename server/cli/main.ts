import { parseArgs } from "node:util";
import { migrateCommand } from "./commands/migrate";
import { pluginNewCommand } from "./commands/plugin-new";
import { secretsRotateKeyCommand } from "./commands/secrets-rotate-key";
import { startCommand } from "./commands/start";
import { tokenCreateCommand } from "./commands/token-create";
import { userCreateCommand } from "./commands/user-create";
import { userResetPasswordCommand } from "./commands/user-reset-password";
import { workerCommand } from "./commands/worker";
import { VERSION } from "./project-root";

const USAGE = `Safehold ${VERSION}

Usage: safehold <command> [options]

  start                      Run the console (web + worker); starts an embedded PostgreSQL when DATABASE_URL is unset
  worker                     Run a worker alone (scale-out: any number against one database)
  migrate                    Apply database migrations
  user create --email E [--name N] [--org NAME] [--role owner|admin|operator|viewer]
                             The first user creates the organization and becomes its owner; the password is
                             asked for at a prompt, or read from standard input (never from the command line)
  user reset-password --email E [--temporary] [--reset-two-factor]
                             A new password (prompt or standard input) for a user who cannot sign in; ends their
                             sessions; --temporary makes them choose another at next sign-in
  token create --email E --name N [--org NAME]
                             Print a new API token (the last line of output)
  plugin new <storage|source|server|notifier> <name> [--dir D]
                             Scaffold a working plugin folder <kind>-<name> (manifest, source, build, contract test)
                             under D (default: the first folder of SAFEHOLD_PLUGINS_DIR); see docs/plugins.md
  secrets rotate-key [--generate]
                             Re-encrypt every stored secret under a new key: SAFEHOLD_SECRET_KEY is the new key and the
                             old one is asked for (or read from standard input); --generate replaces data/secret.key

Configuration comes from the environment: PORT, HOST, SAFEHOLD_DATA_DIR, SAFEHOLD_PLUGINS_DIR (plugin folders,
:-separated), DATABASE_URL, SAFEHOLD_SECRET_KEY, SAFEHOLD_PUBLIC_URL,
SAFEHOLD_TRUSTED_PROXIES (behind a reverse proxy: how many proxies append to X-Forwarded-For, e.g. 1, or their
addresses and CIDR ranges, e.g. 10.0.0.0/8,192.0.2.7; unset, the connecting address is the client).`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      org: { type: "string" },
      role: { type: "string" },
      temporary: { type: "boolean" },
      "reset-two-factor": { type: "boolean" },
      generate: { type: "boolean" },
      dir: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals.join(" ");
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (positionals[0] === "plugin" && positionals[1] === "new") return pluginNewCommand(positionals[2], positionals[3], values);
  switch (command) {
    case "start":
      return startCommand();
    case "worker":
      return workerCommand();
    case "migrate":
      return migrateCommand();
    case "user create":
      return userCreateCommand(values);
    case "user reset-password":
      return userResetPasswordCommand(values);
    case "token create":
      return tokenCreateCommand(values);
    case "secrets rotate-key":
      return secretsRotateKeyCommand(values);
    default:
      throw new Error(`Unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  () => {
    // One-off commands end here; start and worker never resolve: their shutdown handler ends the process.
    process.exit(0);
  },
  (err: unknown) => {
    const error = err as Error & { issues?: Array<{ message: string }> };
    const message = error.issues?.length ? error.issues.map((i) => i.message).join("; ") : error.message;
    console.error(`Error: ${message}`);
    if (process.env.SAFEHOLD_DEBUG) console.error(error.stack);
    process.exit(1);
  },
);
