/** What a failed tRPC call says to the user, and which form fields it concerns. */
export type ErrorInfo = { message: string; fields: Record<string, string> };

export function errorInfo(error: unknown): ErrorInfo | null {
  if (!error) return null;
  const e = error as { message?: string; data?: { fields?: Record<string, string> } };
  return { message: e.message ?? "Something went wrong", fields: e.data?.fields ?? {} };
}
