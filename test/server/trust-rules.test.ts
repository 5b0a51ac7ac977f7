import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/server/errors";
import { blockedDestination } from "@/server/net/destination-policy";
import { restoreMaskedSecrets, validateConfig } from "@/server/plugins/config-values";
import type { ConfigSchema } from "@/server/plugins/contracts";
import { SECRET_MASK } from "@/shared/secret-mask";
import { manageServer } from "@/server/servers/managed-server";
import { databaseProblem, folderProblem, lexicalFolderProblem, systemFolderProblem, type ServerPolicy } from "@/server/servers/server-policy";
import { builtinPluginHost } from "../helpers/fixtures";

const schema: ConfigSchema = {
  type: "object",
  properties: {
    host: { type: "string", title: "Host", format: "hostname", identity: true },
    port: { type: "integer", title: "Port", default: 21, identity: true },
    user: { type: "string", title: "User", identity: true },
    password: { type: "string", title: "Password", secret: true },
    key: { type: "string", title: "Key", secret: true, multiline: true },
    url: { type: "string", title: "URL", format: "uri", secret: true, identity: true },
    label: { type: "string", title: "Label" },
  },
  required: ["host"],
};

const stored = { host: "ftp.example.com", port: 21, user: "backup", password: "s3cret", key: "-----BEGIN KEY-----\nabc\n-----END KEY-----", url: "https://hooks.example.com/x", label: "main" };

function failure(run: () => unknown): ValidationError {
  try {
    run();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error("expected a ValidationError");
}

describe("stored secrets and their identity fields", () => {
  it("puts masked, empty or omitted secrets back while every identity field is unchanged", () => {
    const incoming = { host: "ftp.example.com", user: "backup", password: SECRET_MASK, key: "", url: SECRET_MASK, label: "renamed" };
    // port omitted: it means its default, which is what was stored.
    expect(restoreMaskedSecrets(schema, incoming, { config: stored })).toEqual({ ...incoming, password: "s3cret", key: stored.key, url: stored.url });
  });

  it("refuses to put them back once a destination changed, naming each secret and what changed", () => {
    const err = failure(() => restoreMaskedSecrets(schema, { ...stored, host: "evil.example.net", port: 2121, password: SECRET_MASK, key: SECRET_MASK, url: SECRET_MASK }, { config: stored }));
    expect(err.message).toBe("Type the password, key and URL again: Host, Port changed, and a saved secret is only ever sent where it was saved for");
    expect(err.fields).toEqual({
      "config.password": "Type the password again: Host, Port changed",
      "config.key": "Type the key again: Host, Port changed",
      "config.url": "Type the URL again: Host, Port changed",
    });
  });

  it("takes secrets typed again, and counts a changed secret destination (a webhook URL) as a change", () => {
    expect(restoreMaskedSecrets(schema, { ...stored, host: "new.example.com", password: "typed", key: "typed-key", url: "https://hooks.example.com/y" }, { config: stored })).toMatchObject({ password: "typed", key: "typed-key" });
    const err = failure(() => restoreMaskedSecrets(schema, { ...stored, url: "https://elsewhere.example/x", password: SECRET_MASK, key: "k" }, { config: stored }));
    expect(err.fields).toEqual({ "config.password": "Type the password again: URL changed" });
  });

  it("treats a change of scope (an environment moved to another server) like a changed field", () => {
    const err = failure(() => restoreMaskedSecrets(schema, { ...stored, password: SECRET_MASK, key: SECRET_MASK, url: SECRET_MASK }, { config: stored, changedScope: ["server"] }, "sourceConfig"));
    expect(err.fields["sourceConfig.password"]).toBe("Type the password again: server changed");
  });
});

describe("one-line settings", () => {
  it("refuse control characters, except in multi-line fields", () => {
    for (const value of ["db\n\\! id", "db\r", "a\tb", "x\u0000", "x\u0085", "x\u2028"]) {
      const err = failure(() => validateConfig(schema, { ...stored, label: value }));
      expect(err.fields).toEqual({ "config.label": "Label must be one line, without control characters (line breaks, tabs, ...)" });
    }
    expect(validateConfig(schema, stored).key).toBe(stored.key);
    expect(failure(() => validateConfig(schema, { ...stored, url: "not a url" })).fields).toEqual({ "config.url": "URL must be a URL" });
  });
});

describe("network destinations", () => {
  it("refuses link-local and cloud metadata addresses however they are written", async () => {
    for (const host of ["169.254.169.254", "169.254.0.1", "::ffff:169.254.169.254", "fe80::1", "fd00:ec2::254", "100.100.100.200", "metadata.google.internal", "2852039166", "0xa9fea9fe"]) {
      expect(await blockedDestination(host, false), host).toMatch(/link-local or cloud metadata address/);
    }
  });

  it("lets ordinary addresses through, and everything when allowed", async () => {
    for (const host of ["127.0.0.1", "10.1.2.3", "192.168.1.10", "::1", "localhost"]) expect(await blockedDestination(host, false), host).toBeNull();
    expect(await blockedDestination("169.254.169.254", true)).toBeNull();
  });
});

const policy: ServerPolicy = { name: "db-1", allowedRoots: ["/var/lib/odoo", "/srv/clients"], databasePattern: "odoo_*, crm_prod", programs: {} };

describe("a server's rules", () => {
  it("refuses system folders as allowed folders, but not software under /usr/local", () => {
    for (const root of ["/", "/etc", "/etc/odoo", "/root", "/root/odoo", "/usr", "/usr/lib/odoo", "/var", "/var/lib", "/home", "/tmp", "/proc/1", "/usr/local"]) expect(systemFolderProblem(root), root).not.toBeNull();
    for (const root of ["/var/lib/odoo", "/opt/odoo", "/home/odoo/.local/share/Odoo", "/usr/local/odoo", "/srv/odoo", "/tmp/x"]) expect(systemFolderProblem(root), root).toBeNull();
  });

  it("keeps paths inside the allowed folders, by whole path components", () => {
    expect(folderProblem(policy, "/var/lib/odoo/filestore/acme", policy.allowedRoots, "replace")).toBeNull();
    expect(folderProblem(policy, "/var/lib/odoo", policy.allowedRoots, "read")).toBeNull();
    expect(folderProblem(policy, "/var/lib/odoo", policy.allowedRoots, "replace")).toMatch(/is an allowed folder itself/);
    expect(folderProblem(policy, "/var/lib/odoo2/filestore", policy.allowedRoots, "read")).toMatch(/is outside the folders allowed on server "db-1" \(\/var\/lib\/odoo, \/srv\/clients\)/);
    expect(lexicalFolderProblem(policy, "/var/lib/odoo/../../../root/.ssh")).toMatch(/^\/root\/.ssh is outside/);
    expect(lexicalFolderProblem(policy, "/srv/clients/acme/")).toBeNull();
  });

  it("matches databases against the pattern, and never allows the ones the source says its database server keeps", () => {
    expect(databaseProblem(policy, "odoo_acme")).toBeNull();
    expect(databaseProblem(policy, "crm_prod")).toBeNull();
    expect(databaseProblem(policy, "crm_prod2")).toMatch(/is not allowed on server "db-1" \(allowed: odoo_\*, crm_prod\)/);
    expect(databaseProblem(policy, "odoo.acme")).toMatch(/not allowed/);
    expect(databaseProblem({ ...policy, databasePattern: null }, "anything")).toBeNull();
    const reservedDatabases = ["postgres", "template0", "template1"];
    for (const name of reservedDatabases) expect(databaseProblem({ ...policy, databasePattern: "*", reservedDatabases }, name)).toBe(`"${name}" is one of the database server's own databases: choose the client's database`);
    expect(databaseProblem({ ...policy, databasePattern: null, reservedDatabases: ["mysql"] }, "MySQL")).toMatch(/database server's own/);
  });
});

describe("a managed connection to this host", () => {
  it("resolves links on the server before judging a folder, and runs the programs an admin mapped", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-managed-"));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-outside-"));
    fs.mkdirSync(path.join(root, "data"));
    fs.symlinkSync(outside, path.join(root, "data", "link"));
    const connection = await (await builtinPluginHost().serverKind("local")).connect({});
    const server = manageServer(connection, { name: "this host", allowedRoots: [root], databasePattern: null, programs: { whoami: "/bin/echo" }, reservedDatabases: ["postgres", "template0", "template1"] });
    expect(await server.resolveFolder(`${root}/data/not-yet`, "replace")).toBe(`${root}/data/not-yet`);
    await expect(server.resolveFolder(`${root}/data/link/sub`, "read")).rejects.toThrow(`${outside}/sub is outside the folders allowed on server "this host" (${root})`);
    await expect(server.resolveFolder("relative/path", "read")).rejects.toThrow('"relative/path" is not an absolute path on one line');
    const run = server.exec("whoami", ["mapped"]);
    let out = "";
    for await (const chunk of run.stdout) out += String(chunk);
    expect(out).toBe("mapped\n");
    expect(() => server.checkDatabase("template1")).toThrow(/database server's own databases/);
  });
});
