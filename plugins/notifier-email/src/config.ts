import type { PluginConfig } from "@safehold/plugin-api";

export type Security = "starttls" | "tls" | "none";

export type EmailSettings = {
  host: string;
  port: number;
  security: Security;
  username?: string;
  password?: string;
  from: string;
  to: string[];
};

/** The console validated the configuration against the schema; this only shapes it and splits the recipients. */
export function emailSettings(config: PluginConfig): EmailSettings {
  const text = (name: string) => (typeof config[name] === "string" ? (config[name] as string).trim() : "");
  const to = text("to")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = to.find((a) => !/^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(a));
  if (to.length === 0) throw new Error("No recipient: put at least one address in To");
  if (bad) throw new Error(`"${bad}" in To is not an email address`);
  const security = text("security") as Security;
  return {
    host: text("host"),
    port: typeof config.port === "number" ? config.port : security === "tls" ? 465 : 587,
    security: ["starttls", "tls", "none"].includes(security) ? security : "starttls",
    username: text("username") || undefined,
    password: typeof config.password === "string" && config.password !== "" ? config.password : undefined,
    from: text("from"),
    to,
  };
}
