import { getToken } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { authOptions, secureCookies } from "./next-auth";

/** The user and session a request's session cookie names (signature and expiry checked), or null. */
export async function sessionFromHeaders(headers: Headers): Promise<{ userId: string; sessionId: string } | null> {
  const secure = secureCookies(headers);
  const token = await getToken({ req: new NextRequest("http://console.invalid/", { headers }), secret: authOptions(secure).secret, secureCookie: secure });
  if (!token?.sub || typeof token.sid !== "string") return null;
  return { userId: token.sub, sessionId: token.sid };
}
