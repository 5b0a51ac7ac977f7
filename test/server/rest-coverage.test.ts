import { describe, expect, it } from "vitest";
import { appRouter } from "@/server/api/root";
import type { Meta } from "@/server/api/trpc";

/**
 * Every procedure is in the REST API (PRODUCT: "generated from the same procedures as the UI's tRPC API") unless
 * it is listed here with the reason it stays tRPC-only. A new procedure without `openapi` metadata fails this test
 * until it gets a REST route or a reason.
 */
const TRPC_ONLY: Record<string, string> = {
  "setup.status": "first-run setup in the browser, before any user or token exists",
  "setup.createOwner": "first-run setup in the browser, before any user or token exists",
  "me.switchOrganization": "sets the browser session's active-organization cookie; a token belongs to one organization",
  "account.get": "the signed-in person's own password, two-factor sign-in and sessions",
  "account.changePassword": "the signed-in person's own password, two-factor sign-in and sessions",
  "account.startTwoFactor": "the signed-in person's own password, two-factor sign-in and sessions",
  "account.confirmTwoFactor": "the signed-in person's own password, two-factor sign-in and sessions",
  "account.disableTwoFactor": "the signed-in person's own password, two-factor sign-in and sessions",
  "account.regenerateRecoveryCodes": "the signed-in person's own password, two-factor sign-in and sessions",
  "account.endSession": "the signed-in person's own password, two-factor sign-in and sessions",
  "account.signOutEverywhere": "the signed-in person's own password, two-factor sign-in and sessions",
  "apiTokens.create": "a token cannot create tokens: a leaked one must not outlive its revocation",
  "members.resetPassword": "hands out a way to sign in as someone else, which a leaked token must never get",
  "members.resetTwoFactor": "hands out a way to sign in as someone else, which a leaked token must never get",
  "organization.update": "security settings (two-factor requirement, viewer downloads) are changed by a signed-in person",
  "plugins.contributions": "a form helper: GET /plugins carries every contribution and its config schema",
  "backupPolicies.checkSchedule": "the schedule editors' live preview: PUT /backup-policy checks a schedule and answers its next runs",
  "servers.testDraft": "tests a form's unsaved settings; REST clients create the server and POST /servers/{id}/test",
  "storageLocations.testDraft": "tests a form's unsaved settings; REST clients create the location and POST /storage-locations/{id}/test",
  "environments.testDraft": "tests a form's unsaved settings; REST clients create the environment and POST /environments/{id}/test",
};

type ProcedureDef = { _def: { meta?: Meta } };
const procedures = appRouter._def.procedures as unknown as Record<string, ProcedureDef>;
const all = Object.keys(procedures).sort();
const withRest = all.filter((p) => procedures[p]!._def.meta?.openapi);
const withoutRest = all.filter((p) => !procedures[p]!._def.meta?.openapi);

describe("REST coverage of the procedures", () => {
  it("publishes every procedure in REST except the intentionally tRPC-only ones", () => {
    expect(withoutRest, "a procedure without REST metadata: give it a route, or a reason in TRPC_ONLY").toEqual(Object.keys(TRPC_ONLY).sort());
    expect({ procedures: all.length, rest: withRest.length, trpcOnly: withoutRest.length }).toEqual({ procedures: 114, rest: 94, trpcOnly: 20 });
  });

  it("keeps tRPC-only the procedures that act as the signed-in person's own account", () => {
    for (const p of all.filter((x) => x.startsWith("account.") || procedures[x]!._def.meta?.access === "public")) expect(TRPC_ONLY, p).toHaveProperty([p]);
  });
});
