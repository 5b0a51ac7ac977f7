import NextAuth from "next-auth";
import { authOptions, secureCookies } from "@/server/auth/next-auth";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// Built per request: the options derive their secret from the data dir (not to be touched at build time) and
// whether cookies are Secure depends on how the client reached the console.
function handler(req: Request, context: RouteContext) {
  return NextAuth(authOptions(secureCookies(req.headers)))(req, context);
}

export { handler as GET, handler as POST };
