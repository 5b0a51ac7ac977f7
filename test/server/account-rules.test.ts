import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { newPasswordSchema, passwordWeakness } from "@/server/auth/password-policy";
import { looksLikeRecoveryCode } from "@/server/auth/recovery-codes";
import { sameOriginPath } from "@/shared/same-origin-path";
import { acceptTotp, newTotpSecret } from "@/server/auth/totp";
import { describeUserAgent } from "@/server/services/user-agent";

describe("where sign-in may send the browser", () => {
  it("keeps paths on the console", () => {
    expect(sameOriginPath("/projects?tab=1#x")).toBe("/projects?tab=1#x");
    expect(sameOriginPath(undefined)).toBe("/");
    expect(sameOriginPath("settings/account")).toBe("/settings/account");
  });

  it.each([
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "\\/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " //evil.example",
  ])("refuses %j", (value) => {
    expect(sameOriginPath(value)).toBe("/");
  });

  it("never returns a path a browser would read as another host", () => {
    for (const value of ["/.//evil.example", "/%2e//evil.example", "/%09/evil.example", "////evil.example/x"]) {
      const path = sameOriginPath(value);
      expect(path.startsWith("//")).toBe(false);
      expect(new URL(path, "https://console.example").origin).toBe("https://console.example");
    }
  });
});

describe("new passwords", () => {
  it("refuses short, over-long (in bytes) and common passwords", () => {
    expect(newPasswordSchema.safeParse("short").success).toBe(false);
    expect(newPasswordSchema.safeParse("a".repeat(72)).error?.issues[0]?.message).toContain("Choose a less common password");
    expect(newPasswordSchema.safeParse("é".repeat(37)).error?.issues[0]?.message).toContain("Use at most 72 bytes");
    expect(newPasswordSchema.safeParse("password123").error?.issues[0]?.message).toContain("Choose a less common password");
    expect(newPasswordSchema.safeParse("qwertyuiop12").success).toBe(false);
    expect(newPasswordSchema.safeParse("violet-harbour-tractor").success).toBe(true);
  });

  it("refuses a password made of the user's own email", () => {
    expect(passwordWeakness("olivia.hartmann2024", ["olivia.hartmann@agency.test", "Olivia Hartmann"])).toContain("not built from your email address or name");
    expect(passwordWeakness("Olivia Hartmann 99!", ["olivia.hartmann@agency.test", "Olivia Hartmann"])).toContain("not built from your email address or name");
    expect(passwordWeakness("violet-harbour-tractor", ["olivia.hartmann@agency.test"])).toBeNull();
  });
});

describe("TOTP codes", () => {
  it("accepts the current code once, and the neighbouring steps for clock drift", () => {
    const secret = newTotpSecret();
    const totp = new TOTP({ secret: Secret.fromBase32(secret) });
    const now = Date.now();
    const step = acceptTotp(secret, totp.generate({ timestamp: now }), null);
    expect(step).toBe(totp.counter({ timestamp: now }));
    expect(acceptTotp(secret, totp.generate({ timestamp: now }), step)).toBeNull();
    expect(acceptTotp(secret, totp.generate({ timestamp: now - 30_000 }), null)).toBe(step! - 1);
    expect(acceptTotp(secret, totp.generate({ timestamp: now - 120_000 }), null)).toBeNull();
    expect(acceptTotp(secret, "12345", null)).toBeNull();
    expect(acceptTotp(secret, ` ${totp.generate({ timestamp: now }).replace(/(\d{3})/, "$1 ")}`, null)).toBe(step);
  });

  it("tells recovery codes from TOTP codes", () => {
    expect(looksLikeRecoveryCode("ab2cd-ef3gh")).toBe(true);
    expect(looksLikeRecoveryCode("123456")).toBe(false);
  });
});

describe("session devices", () => {
  it("names common browsers and systems", () => {
    expect(describeUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")).toBe("Chrome on Windows");
    expect(describeUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")).toBe("Firefox on Linux");
    expect(describeUserAgent("")).toBe("Unknown device");
  });
});
