import { handleRestRequest } from "@/server/api/rest";

export type RestResponse = { status: number; body: unknown; text: string };

/** Calls the REST API in-process, through the same handler the route uses. */
export async function rest(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<RestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await handleRestRequest(
    new Request(`http://localhost/api/v1${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }),
  );
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : null };
}
