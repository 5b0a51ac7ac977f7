import { parseArgs } from "node:util";
// Commands are imported when run: a process loads only what its command uses (the web process, no server code
// outside Next's build).
import { VERSION } from "./project-root";

const USAGE = `Safehold ${VERSION}

Usage: safehold <command> [options]

  start                      Run the console (a web and a worker process); starts an embedded PostgreSQL when DATABASE_URL is unset
  web                        Run the web console alone against DATABASE_URL (start runs one; more can run behind a load balancer)
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
  catalog import --location ID
                             Recreate the backups of a storage location the catalog lacks, from their manifests
                             (prints how many were added, already known, and foreign: not signed by this console)
  recover --provider P --config-file F [--secret-key-file K] [--force]
                             Disaster recovery: rebuild the console's database from its latest self-backup in a
                             storage location (provider id and its settings as JSON), with the console's secret key
                             (a copy of data/secret.key, or SAFEHOLD_SECRET_KEY); see the README's runbook
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
      location: { type: "string" },
      provider: { type: "string" },
      "config-file": { type: "string" },
      "secret-key-file": { type: "string" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals.join(" ");
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (positionals[0] === "plugin" && positionals[1] === "new") return (await import("./commands/plugin-new")).pluginNewCommand(positionals[2], positionals[3], values);
  switch (command) {
    case "start":
      return (await import("./commands/start")).startCommand();
    case "web":
      return (await import("./commands/web")).webCommand();
    case "worker":
      return (await import("./commands/worker")).workerCommand();
    case "migrate":
      return (await import("./commands/migrate")).migrateCommand();
    case "user create":
      return (await import("./commands/user-create")).userCreateCommand(values);
    case "user reset-password":
      return (await import("./commands/user-reset-password")).userResetPasswordCommand(values);
    case "token create":
      return (await import("./commands/token-create")).tokenCreateCommand(values);
    case "catalog import":
      return (await import("./commands/catalog-import")).catalogImportCommand(values);
    case "recover":
      return (await import("./commands/recover")).recoverCommand(values);
    case "secrets rotate-key":
      return (await import("./commands/secrets-rotate-key")).secretsRotateKeyCommand(values);
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
