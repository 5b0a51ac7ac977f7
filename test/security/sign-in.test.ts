import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { signInOverHttp } from "../helpers/http-sign-in";

/**
 * Guessing passwords through the sign-in endpoint of a running console. Before: the failure count was read,
 * the password checked and the attempt written as separate steps, so parallel guesses all passed the check;
 * the address came from X-Forwarded-For whoever sent it; an unknown email answered at once (no bcrypt), telling
 * which emails have accounts; and five failures locked the account for everyone, the owner included.
 */
let direct: ConsoleWithMembers;
let proxied: ConsoleWithMembers;

beforeAll(async () => {
  [direct, proxied] = await Promise.all([startConsoleWithMembers(), startConsoleWithMembers({ SAFEHOLD_TRUSTED_PROXIES: "1" })]);
});

afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
});

const TOO_MANY = /Too many failed sign-in attempts/;

describe("where sign-in leads and what it sets", () => {
  it("sends the browser back only to the console's own pages", async () => {
    for (const callbackUrl of ["/\\evil.example", "/\t/evil.example", "//evil.example", "https://evil.example/x"]) {
      const answer = await signInOverHttp(direct.app.url, { email: direct.members.admin.email, password: "admin-password-1", callbackUrl });
      expect(answer.error).toBeNull();
      expect(new URL(answer.url!).origin).toBe(new URL(direct.app.url).origin);
    }
    const kept = await signInOverHttp(direct.app.url, { email: direct.members.admin.email, password: "admin-password-1", callbackUrl: "/projects?x=1" });
    expect(kept.url).toBe(`${direct.app.url}/projects?x=1`);
  });

  it("marks the session cookie Secure when a trusted proxy says the client used https, and only then", async () => {
    const plain = await signInOverHttp(proxied.app.url, { email: proxied.members.admin.email, password: "admin-password-1" }, { "x-forwarded-for": "192.0.2.200" });
    expect(plain.setCookie).toMatch(/HttpOnly/i);
    expect(plain.setCookie).not.toMatch(/;\s*Secure/i);
    const https = await signInOverHttp(proxied.app.url, { email: proxied.members.admin.email, password: "admin-password-1" }, { "x-forwarded-for": "192.0.2.201", "x-forwarded-proto": "https" });
    expect(https.setCookie).toMatch(/^__Secure-next-auth\.session-token=.*;\s*Secure/i);
    const spoofed = await signInOverHttp(direct.app.url, { email: direct.members.admin.email, password: "admin-password-1" }, { "x-forwarded-proto": "https" });
    expect(spoofed.setCookie).not.toMatch(/;\s*Secure/i);
  });
});

describe("sign-in throttling", () => {
  it("parallel guesses cannot pass the limit: three failures, then every guess waits", async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signInOverHttp(direct.app.url, { email: direct.members.viewer.email, password: `guess-number-${i}` })),
    );
    const checked = answers.filter((a) => a.error === "Wrong email or password");
    expect(checked).toHaveLength(3);
    expect(answers.filter((a) => TOO_MANY.test(a.error ?? ""))).toHaveLength(9);
  });

  it("a spoofed X-Forwarded-For does not give a client a fresh address when no proxy is trusted", async () => {
    const email = direct.members.operator.email;
    for (let i = 0; i < 3; i++) {
      const answer = await signInOverHttp(direct.app.url, { email, password: `wrong-${i}` }, { "x-forwarded-for": `198.51.100.${i}` });
      expect(answer.error).toBe("Wrong email or password");
    }
    const spoofed = await signInOverHttp(direct.app.url, { email, password: "operator-password-1" }, { "x-forwarded-for": "203.0.113.99" });
    expect(spoofed.error).toMatch(/Too many failed sign-in attempts for this account from your address/);
  });

  it("behind a trusted proxy, one client's guesses delay that client, and the owner still signs in from elsewhere", async () => {
    const email = proxied.members.owner.email;
    const attacker = { "x-forwarded-for": "203.0.113.5" };
    for (let i = 0; i < 3; i++) expect((await signInOverHttp(proxied.app.url, { email, password: `wrong-${i}` }, attacker)).error).toBe("Wrong email or password");
    expect((await signInOverHttp(proxied.app.url, { email, password: "owner-password-1" }, attacker)).error).toMatch(TOO_MANY);
    const owner = await signInOverHttp(proxied.app.url, { email, password: "owner-password-1" }, { "x-forwarded-for": "198.51.100.7" });
    expect(owner.error).toBeNull();
    expect(owner.cookie).toBeTruthy();
    const [row] = await proxied.t.sql`select ip from login_attempts where email = ${email} and succeeded order by id desc limit 1`;
    expect(row!.ip).toBe("198.51.100.7");
  });

  it("an unknown email takes as long as a known one", async () => {
    const time = async (email: string, i: number) => {
      const started = performance.now();
      await signInOverHttp(proxied.app.url, { email, password: "not-the-password" }, { "x-forwarded-for": `192.0.2.${i}` });
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time(proxied.members.viewer.email, i));
      unknown.push(await time(`nobody-${i}@security.test`, 50 + i));
    }
    // bcrypt at cost 11 takes tens of milliseconds; without the dummy hash an unknown email answered in a few.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.6);
  });

  it("caps what it stores: an over-long email is refused without being recorded", async () => {
    const answer = await signInOverHttp(direct.app.url, { email: `${"a".repeat(5000)}@security.test`, password: "whatever-it-is" });
    expect(answer.error).toBe("Wrong email or password");
    const [row] = await direct.t.sql`select count(*)::int as n from login_attempts where length(email) > 254`;
    expect(row!.n).toBe(0);
  });
});
