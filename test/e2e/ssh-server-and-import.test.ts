import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { listEnvironments } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { browserPage, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { closeAll } from "../helpers/close-all";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { createOdooClient, type OdooClient } from "../helpers/restore-env";
import { makeUserDir, startSshd, type Sshd } from "../helpers/sshd";

let sshd: Sshd;
let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let client: OdooClient;
let projectId: string;

beforeAll(async () => {
  sshd = await startSshd({ user: "safehold-ssh-a" });
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Import Agency"));
  projectId = (await createProject(t.db, owner, { name: "Fabrikam", description: "" })).id;
  const dataDir = makeUserDir(sshd, "odoo");
  client = await createOdooClient(dataDir);
  execFileSync("chown", ["-R", `${sshd.uid}:${sshd.gid}`, dataDir]);
  app = await startTestConsole(t, "import");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
  await signIn(page, app.url, owner.label, TEST_PASSWORD);
});

afterAll(() => closeAll(browser, app, client, t, sshd));

// The test sshd needs root (it creates its SSH user) and openssh-server, which .ci/run installs.
describe("an SSH server and its Odoo databases, from the browser", () => {
  it("adds an SSH server after confirming its host key fingerprint", async () => {
    await page.goto(`${app.url}/servers`);
    await page.getByRole("button", { name: "Add server" }).click();
    const dialog = page.getByRole("dialog", { name: "Add server" });
    await dialog.getByLabel("Name", { exact: true }).fill("Fabrikam host");
    await dialog.getByLabel("Kind").selectOption("ssh");
    await dialog.getByLabel("Host", { exact: true }).fill(sshd.host);
    await dialog.getByLabel(/^Port/).fill(String(sshd.port));
    await dialog.getByLabel("Username", { exact: true }).fill(sshd.username);
    await dialog.getByLabel("Private key", { exact: true }).fill(sshd.privateKey);
    // The client's Odoo keeps its data in the SSH user's home: an admin allows that folder for environments.
    await dialog.getByRole("button", { name: "Add folder" }).click();
    await dialog.getByLabel("Allowed folder 3").fill(sshd.home);
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByText(sshd.fingerprint, { exact: true }).waitFor();
    await screenshot(page, "ssh-01-fingerprint");
    await dialog.getByRole("button", { name: /^Trust this/ }).click();
    await dialog.getByText("Pinned. Save to keep it.").waitFor();
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText(`${sshd.username}@${sshd.host}:${sshd.port}`).waitFor();
    await page.getByRole("row", { name: /Fabrikam host/ }).getByText(sshd.home, { exact: false }).waitFor();
    await screenshot(page, "ssh-02-servers");
  });

  it("imports the server's Odoo databases as environments", async () => {
    await page.goto(`${app.url}/projects/${projectId}`);
    await page.getByRole("button", { name: "Import from server" }).click();
    const dialog = page.getByRole("dialog", { name: "Import environments from server" });
    await dialog.getByLabel("Server", { exact: true }).selectOption({ label: "Fabrikam host" });
    await dialog.getByText(`Fabrikam host allows data folders inside`).waitFor();
    await dialog.getByLabel("Source", { exact: true }).selectOption("odoo");
    await dialog.getByLabel("Host", { exact: true }).fill(client.host);
    await dialog.getByLabel(/^Port/).fill(String(client.port));
    await dialog.getByLabel("User", { exact: true }).fill(client.user);
    await dialog.getByLabel(/^Password/).fill(client.password);
    // A data folder the server does not allow: every row would fail alike, so the error shows at the setting they share.
    const outside = path.join(os.tmpdir(), "safehold-not-allowed", "odoo");
    await dialog.getByLabel("Odoo data folder", { exact: true }).fill(outside);
    await dialog.getByRole("button", { name: "Find databases" }).click();
    await dialog.getByLabel(`Import ${client.database}`).check();
    await dialog.getByRole("button", { name: "Create 1 environment" }).click();
    await dialog.locator('[data-field-error="import-config-dataDir"]').getByText(`${outside} is outside the folders allowed on server "Fabrikam host"`).waitFor();
    await dialog.getByText("Not created: see the connection settings above").waitFor();
    await screenshotOf(dialog, "ssh-03-outside-folder");

    await dialog.getByLabel("Odoo data folder", { exact: true }).fill(client.dataDir);
    await dialog.getByRole("button", { name: "Find databases" }).click();
    await dialog.getByLabel(`Import ${client.database}`).check();
    await screenshot(page, "ssh-04-discovered");
    await dialog.getByRole("button", { name: "Create 1 environment" }).click();
    await dialog.getByText("Created").first().waitFor();
    await screenshot(page, "ssh-05-imported");
    const environments = await listEnvironments(t.db, builtinPluginHost(), owner, { limit: 10, projectId });
    expect(environments.items).toMatchObject([{ name: client.database, source: "odoo", serverName: "Fabrikam host", sourceConfig: { database: client.database, dataDir: client.dataDir, password: "********" } }]);
  });

  it("records an erased data subject on the project", async () => {
    await page.goto(`${app.url}/projects/${projectId}`);
    await page.getByLabel("Email of the erased person").fill("Erased.Person@Example.test");
    await page.getByLabel("Note (optional)").fill("GDPR request #7");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByText("erased.person@example.test").waitFor();
    // Or by the person's record in the application: the console checks the shape, the source reads the type.
    const subject = page.getByLabel("Email of the erased person");
    await subject.fill("partner 42");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByText("Enter the erased person's email address, or a record reference such as partner,42").waitFor();
    await screenshot(page, "ssh-06-erasure-invalid");
    await subject.fill("Res.Partner,42");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByText("res.partner,42").waitFor();
    await screenshot(page, "ssh-06-erasure");
  });
});
