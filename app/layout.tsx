import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { nonceOf } from "@/server/http/security-headers";
import { Providers } from "./_lib/providers";
import "./globals.css";

// Every page is rendered per request: its scripts carry that response's CSP nonce, which a page prerendered at
// build time (the 404 page was) cannot.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Safehold", template: "%s · Safehold" },
  description: "Backups for every client environment, on every server",
  icons: {
    icon: [
      { url: "/favicon.svg", type: "image/svg+xml" },
      { url: "/favicon.ico", sizes: "16x16 32x32 48x48" },
    ],
    apple: { url: "/apple-touch-icon.png", sizes: "180x180" },
  },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = nonceOf((await headers()).get("content-security-policy"));
  return (
    // next-themes sets the theme's class on <html> before React hydrates it.
    <html lang="en" suppressHydrationWarning>
      <body>
        <Providers nonce={nonce}>{children}</Providers>
      </body>
    </html>
  );
}
