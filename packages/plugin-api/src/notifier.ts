/** Notifiers: where backup and restore news goes (`email`, `webhook`, ...). */
import type { CallContext, PluginConfig, TestOptions, TestResult } from "./context.js";

export type NotificationEvent = "backup.completed" | "backup.failed" | "backup.overdue" | "restore.completed" | "restore.failed" | "drill.failed" | "test";

/** One notification, the same for every channel; each notifier renders it its own way. */
export type NotificationMessage = {
  event: NotificationEvent;
  /** One line, e.g. "Backup failed: Acme / production"; an email's subject. */
  title: string;
  /** Plain text, one or a few lines: what happened and why. */
  text: string;
  severity: "success" | "failure" | "info";
  /** Short facts, e.g. `{ environment: "production", project: "Acme", status: "failed" }`. */
  fields: Record<string, string>;
  /** Where the console shows the subject, when its public URL is known. */
  url?: string;
  /** ISO 8601. */
  occurredAt: string;
};

export interface NotifierClient {
  /** Delivers one message; rejects with a one-line message (no secret in it) when it was not accepted. */
  send(message: NotificationMessage): Promise<void>;
  /**
   * Checks the settings without delivering anything (e.g. an SMTP handshake). Optional: the host fills in one that
   * reports it cannot check without sending, so operators use "Send test" instead.
   */
  testConnection?(context: CallContext, options: TestOptions): Promise<TestResult>;
  /** Optional: the host fills in a no-op. */
  close?(): Promise<void>;
}

export interface NotifierContribution {
  create(config: PluginConfig): NotifierClient;
}
