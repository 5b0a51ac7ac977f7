/** What a failed tRPC call says to the user, and which form fields it concerns. */
export type ErrorInfo = { message: string; fields: Record<string, string> };

/**
 * A response that was not the API's JSON (a proxy's HTML error page, a dropped connection, a timeout) surfaces in the
 * browser as a parser or network message; the user is told what happened instead.
 */
const UNREACHABLE = /Unexpected token|is not valid JSON|JSON\.parse|Failed to fetch|NetworkError|Load failed|fetch failed|aborted|timed? ?out/i;

export function errorInfo(error: unknown): ErrorInfo | null {
  if (!error) return null;
  const e = error as { message?: string; data?: { fields?: Record<string, string> } };
  return { message: errorMessage(error), fields: e.data?.fields ?? {} };
}

/** One line for the user: the API's own message, or what went wrong on the way to it. */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: string } | null)?.message;
  if (!message) return "Something went wrong";
  if (UNREACHABLE.test(message)) return "The console did not answer. It may be restarting or unreachable; try again in a moment.";
  return message;
}
