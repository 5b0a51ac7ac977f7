/**
 * Texts the sign-in form and the server agree on. No imports: the browser bundle loads this file too.
 */

/** The error `signIn("credentials")` returns when the password was right and the second factor is needed. */
export const TWO_FACTOR_REQUIRED = "two-factor-required";
