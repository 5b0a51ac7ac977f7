import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { deriveKey } from "@/server/crypto/secret-key";
import { getDb } from "@/server/db";
import { DomainError } from "@/server/errors";
import { authenticate } from "./authenticate";

function clientIp(headers: Record<string, string | string[] | undefined> | undefined): string | null {
  const forwarded = headers?.["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return first || null;
}

let options: NextAuthOptions | undefined;

/** next-auth with email + password; sessions are signed JWT cookies, so any web process can serve any request. */
export function authOptions(): NextAuthOptions {
  options ??= {
    secret: deriveKey("auth").toString("base64url"),
    session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          if (!credentials?.email || !credentials.password) throw new Error("Enter your email and password");
          try {
            return await authenticate(getDb(), { email: credentials.email, password: credentials.password, ip: clientIp(req?.headers) });
          } catch (err) {
            // next-auth shows this message on the sign-in page; only domain errors carry a message meant for users.
            if (err instanceof DomainError) throw new Error(err.message);
            console.error("Sign-in failed:", err);
            throw new Error("Sign-in is unavailable right now; the details are in the server log");
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  };
  return options;
}
