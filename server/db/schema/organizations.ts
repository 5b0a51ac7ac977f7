import { boolean, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "@/server/db/columns";

export const twoFactorRequirementEnum = pgEnum("two_factor_requirement", ["off", "admins", "everyone"]);
export const TWO_FACTOR_REQUIREMENTS = twoFactorRequirementEnum.enumValues;
export type TwoFactorRequirement = (typeof TWO_FACTOR_REQUIREMENTS)[number];

export const organizations = pgTable("organizations", {
  id: id(),
  name: text().notNull(),
  /** Whether viewers may create download links (off by default). */
  viewersCanDownload: boolean().notNull().default(false),
  /** Who must sign in with a second factor: nobody, owners and admins, or every member. */
  twoFactorRequired: twoFactorRequirementEnum().notNull().default("off"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** The owning organization of an org-scoped row; its rows go with it. */
export const organizationId = () =>
  uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: "cascade" });
