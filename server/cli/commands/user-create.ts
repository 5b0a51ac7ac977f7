import { ROLES, type Role } from "@/server/db/schema";
import { createUserFromCli } from "@/server/services/users";
import { readSecret, refuseSecretFlag } from "../read-secret";
import { withDatabase } from "./with-database";

export async function userCreateCommand(options: { email?: string; password?: string; name?: string; org?: string; role?: string }): Promise<void> {
  refuseSecretFlag(options.password, "password");
  if (!options.email) throw new Error("Usage: safehold user create --email E [--name N] [--org NAME] [--role owner|admin|operator|viewer] (the password is asked for, or read from standard input)");
  if (options.role && !ROLES.includes(options.role as Role)) throw new Error(`--role must be one of ${ROLES.join(", ")}`);
  const password = await readSecret("password", { confirm: true });
  const result = await withDatabase((db) =>
    createUserFromCli(db, { email: options.email!, password, name: options.name, orgName: options.org, role: options.role as Role | undefined }),
  );
  console.log(`Created ${result.user.email} as ${result.role} of "${result.org.name}"`);
}
