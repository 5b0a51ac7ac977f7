import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createRequestContext } from "@/server/api/context";
import { appRouter } from "@/server/api/root";
import { refuseCookieMutationWithoutJson } from "@/server/http/cookie-csrf";

function handler(req: Request) {
  // tRPC itself takes multipart/form-data, which any site can make a browser send with the session cookie.
  const refused = refuseCookieMutationWithoutJson(req);
  if (refused) return refused;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: ({ req: request, resHeaders }) => createRequestContext(request, resHeaders),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
