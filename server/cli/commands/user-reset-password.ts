import { resetPasswordFromCli } from "@/server/services/users";
import { readSecret, refuseSecretFlag } from "../read-secret";
import { withDatabase } from "./with-database";

/** For whoever runs the console's machine: a locked-out user (the last owner included) gets a new password. */
export async function userResetPasswordCommand(options: { email?: string; password?: string; temporary?: boolean; "reset-two-factor"?: boolean }): Promise<void> {
  refuseSecretFlag(options.password, "password");
  if (!options.email) throw new Error("Usage: safehold user reset-password --email E [--temporary] [--reset-two-factor] (the new password is asked for, or read from standard input)");
  const password = await readSecret("new password", { confirm: true });
  const user = await withDatabase((db) =>
    resetPasswordFromCli(db, { email: options.email!, password, temporary: Boolean(options.temporary), resetTwoFactor: Boolean(options["reset-two-factor"]) }),
  );
  const notes = [
    "every session of theirs has ended",
    options.temporary ? "they must choose a new password at their next sign-in" : null,
    options["reset-two-factor"] ? "two-factor sign-in is off until they set it up again" : null,
  ].filter(Boolean);
  console.log(`Password of ${user.email} reset: ${notes.join("; ")}`);
}
