import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { deriveKey } from "@/server/crypto/secret-key";
import { getDb } from "@/server/db";
import { env } from "@/server/env";
import { isDomainError } from "@/server/errors";
import { clientAddress, clientUsedHttps } from "@/server/http/client-request";
import { authenticate } from "./authenticate";
import { sameOriginPath } from "@/shared/same-origin-path";
import { revokeSession, SESSION_MAX_AGE_SECONDS } from "./sessions";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/** Cookies are `Secure` when the console's public URL is https or the client reached it over https (as a trusted proxy says). */
export function secureCookies(headers: HeaderSource | undefined): boolean {
  return env().publicUrl.startsWith("https:") || clientUsedHttps(headers);
}

function header(headers: Record<string, unknown> | undefined, name: string): string {
  const value = headers?.[name];
  return typeof value === "string" ? value : "";
}

/**
 * next-auth with email + password (+ a second factor); the cookie is a signed JWT naming a session row, which
 * every request checks (server/auth/sessions.ts), so sessions can be listed and ended.
 */
export function authOptions(secure: boolean): NextAuthOptions {
  return {
    secret: deriveKey("auth").toString("base64url"),
    useSecureCookies: secure,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" }, code: { label: "Code", type: "text" } },
        async authorize(credentials, req) {
          if (!credentials?.email || !credentials.password) throw new Error("Enter your email and password");
          const headers = req?.headers as Record<string, string | undefined> | undefined;
          try {
            const user = await authenticate(getDb(), {
              email: credentials.email,
              password: credentials.password,
              code: credentials.code || undefined,
              ip: clientAddress(headers),
              userAgent: header(headers, "user-agent"),
            });
            return { id: user.id, email: user.email, name: user.name, sessionId: user.sessionId };
          } catch (err) {
            // next-auth shows this message on the sign-in page; only domain errors carry a message meant for users.
            if (isDomainError(err)) throw new Error(err.message);
            console.error("Sign-in failed:", err);
            throw new Error("Sign-in is unavailable right now; the details are in the server log");
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.sid = (user as { sessionId?: string }).sessionId;
        }
        return token;
      },
      session({ session, token }) {
        if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
        return session;
      },
      redirect({ url, baseUrl }) {
        const path = sameOriginPath(url.startsWith(baseUrl) ? url.slice(baseUrl.length) || "/" : url);
        return `${baseUrl}${path}`;
      },
    },
    events: {
      async signOut({ token }) {
        if (token?.sub && typeof token.sid === "string") await revokeSession(getDb(), token.sub, token.sid).catch(() => undefined);
      },
    },
  };
}
