import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";
import { z } from "zod";
import { ValidationError } from "@/server/errors";

export const MIN_PASSWORD_LENGTH = 10;
/** bcrypt reads only the first 72 bytes: a longer password would be silently cut. */
export const MAX_PASSWORD_BYTES = 72;

let estimator: ZxcvbnFactory | undefined;

function strength() {
  estimator ??= new ZxcvbnFactory({
    translations: english.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...english.dictionary },
  });
  return estimator;
}

/**
 * Why `password` is too weak to keep (one of the most common passwords, a keyboard walk, a repeat, or built from
 * the user's own email or name), or null when it is fine.
 */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  const bare = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  // zxcvbn scores "olivia.hartmann2024" as strong even when told the email: it is the first thing an attacker tries.
  const ownWords = userInputs.map((input) => bare(input.split("@")[0]!)).filter((word) => word.length >= 4);
  const rest = ownWords.reduce((left, word) => left.replaceAll(word, ""), bare(password));
  if (rest.length < bare(password).length && rest.length < 8) return "Choose a password that is not built from your email address or name.";
  const result = strength().check(password, ["safehold", ...userInputs, ...userInputs.flatMap((s) => s.toLowerCase().split(/[^a-z0-9]+/)).filter((s) => s.length >= 3)]);
  if (result.score >= 3) return null;
  const reason = result.feedback.warning ?? "It is too easy to guess.";
  return `Choose a less common password: ${reason.replace(/\.?$/, ".")}${result.feedback.suggestions[0] ? ` ${result.feedback.suggestions[0]}` : ""}`;
}

/** A new password: long enough, not cut by bcrypt, not a common one. Sign-in itself does not apply this. */
export const newPasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .refine((p) => Buffer.byteLength(p, "utf8") <= MAX_PASSWORD_BYTES, `Use at most ${MAX_PASSWORD_BYTES} bytes (about ${MAX_PASSWORD_BYTES} letters; accented letters and symbols count as 2 to 4)`)
  .superRefine((p, ctx) => {
    if (p.length < MIN_PASSWORD_LENGTH || Buffer.byteLength(p, "utf8") > MAX_PASSWORD_BYTES) return;
    const weakness = passwordWeakness(p);
    if (weakness) ctx.addIssue({ code: "custom", message: weakness });
  });

/** Refuses a new password built from the person's own email or name (the schema has already refused common ones); `field` names the form field. */
export function assertPasswordFor(password: string, person: { email: string; name?: string }, field = "password"): void {
  const weakness = passwordWeakness(password, [person.email, person.name ?? ""]);
  if (weakness) throw new ValidationError(weakness, { [field]: weakness });
}
