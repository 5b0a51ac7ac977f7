import { TRPCError, initTRPC } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { hasRole, type PendingStep, type Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import type { Role } from "@/server/db/schema";
import type { PluginHost } from "@/server/plugins/host";
import { installHumanZodMessages } from "@/server/validation/zod-messages";
import { fieldErrors, mapFailure, publicMessage } from "./error-mapping";

// Input errors are shown next to form fields and returned by the REST API: in words, not zod's notation.
installHumanZodMessages();

export type Context = {
  db: Db;
  plugins: PluginHost;
  principal: Principal | null;
  /** Set for the browser's requests, so a procedure can set a cookie. */
  resHeaders?: Headers;
};

/**
 * Who may call a procedure. `public`: anyone (first-run setup only). `self`: any signed-in member, for
 * procedures that touch only the caller's own account (their API tokens, their active organization).
 * A role: that role or a higher one, in the caller's organization.
 */
export type Access = "public" | "self" | Role;

// Optional in the type only so the router satisfies trpc-to-openapi; enforceAccess refuses a procedure without it.
export type Meta = OpenApiMeta<{ access?: Access; restStatus?: number; whilePending?: boolean }>;

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    isDev: false,
    errorFormatter({ shape, error }) {
      return {
        message: publicMessage(error),
        code: shape.code,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, fields: fieldErrors(error) },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  const mapped = result.ok ? null : mapFailure(result.error.cause);
  if (mapped) throw mapped;
  return result;
});

/** The one check of org scope and role, for every procedure. A procedure without `meta.access` is refused. */
const enforceAccess = t.middleware(({ ctx, meta, path, next }) => {
  const access = meta?.access;
  if (!access) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: `Procedure ${path} declares no access rule` });
  if (access === "public") return next({ ctx });
  const principal = ctx.principal;
  if (!principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in or send an API token (Authorization: Bearer ...)" });
  if (access !== "self" && !hasRole(principal.role, access)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `Your role (${principal.role}) cannot do this: it needs ${access} or higher` });
  }
  if (principal.pending && !meta.whilePending) throw new TRPCError({ code: "FORBIDDEN", message: PENDING_MESSAGE[principal.pending] });
  return next({ ctx: { ...ctx, principal } });
});

const PENDING_MESSAGE: Record<PendingStep, string> = {
  password_change: "Choose a new password first: your password was reset by an admin (Settings › Account)",
  two_factor_enrolment: "Set up two-factor sign-in first: your organization requires it (Settings › Account)",
};

const base = t.procedure.use(mapDomainErrors).use(enforceAccess);

/**
 * Every procedure starts here and declares its access in `meta`; `openapi` publishes it in the REST API, where
 * `restStatus` is its success status when not 200 (202 for queued work, 204 for deletions).
 */
export function procedure(access: Exclude<Access, "public">, openapi?: Meta["openapi"] & { restStatus?: number }) {
  const { restStatus, ...rest } = openapi ?? {};
  return base.meta({ access, openapi: openapi ? (rest as Meta["openapi"]) : undefined, restStatus }).use(({ ctx, next }) => next({ ctx: { ...ctx, principal: ctx.principal! } }));
}

/**
 * For the signed-in person's own account: open even while they still owe a step (a new password, two-factor
 * enrolment), since these are how they complete it.
 */
export function accountProcedure() {
  return base.meta({ access: "self", whilePending: true }).use(({ ctx, next }) => next({ ctx: { ...ctx, principal: ctx.principal! } }));
}

export function publicProcedure() {
  return base.meta({ access: "public" });
}
