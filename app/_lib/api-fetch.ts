/** How long a call to the API may take before the user is told it did not answer (a hung proxy, a stopped console). */
export const API_TIMEOUT_MS = 30_000;

/**
 * fetch for the tRPC client: gives up after API_TIMEOUT_MS (a mutation never spins forever) and turns an answer
 * that is not the API's JSON (a proxy's HTML error page) into a sentence instead of a JSON parser's complaint.
 */
export async function apiFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const timeout = AbortSignal.timeout(API_TIMEOUT_MS);
  const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(input, { ...init, signal });
  } catch (error) {
    if (timeout.aborted) throw new Error(`The console did not answer within ${API_TIMEOUT_MS / 1000} seconds. It may be busy or unreachable; try again in a moment.`);
    throw error;
  }
  if (!(response.headers.get("content-type") ?? "").includes("application/json")) {
    const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    throw new Error(`The console answered with an error page (HTTP ${status}) instead of data. It may be restarting or unreachable; try again in a moment.`);
  }
  return response;
}
