function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type RecoveryKit = { fileName: string; text: string; organization: string; recipient: string; createdAt: string };

/** Saves the kit as the text file `age -i` reads, without it passing through any URL the browser keeps. */
export function saveKitFile(kit: RecoveryKit): void {
  const url = URL.createObjectURL(new Blob([kit.text], { type: "text/plain" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = kit.fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The kit laid out for paper in a window of its own, then the browser's print dialog. */
export function printKit(kit: RecoveryKit): void {
  const page = window.open("", "_blank", "width=800,height=900");
  if (!page) throw new Error("The browser blocked the print window: allow pop-ups for this console, or save the file instead");
  const lines = kit.text.trimEnd().split("\n");
  page.document.write(`<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(kit.fileName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;color:#0f172a}h1{font-size:1.3rem}
pre{font:13px/1.6 ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;border:1px solid #94a3b8;border-radius:6px;padding:1rem}
.key{font-weight:700;font-size:14px}p{font-size:14px}</style></head><body>
<h1>Safehold recovery kit: ${escapeHtml(kit.organization)}</h1>
<p>Key created ${escapeHtml(kit.createdAt)}. Keep this sheet offline and private: whoever holds it can read every backup encrypted to this key.</p>
<pre>${lines.map((line) => (line.startsWith("AGE-SECRET-KEY-") ? `<span class="key">${escapeHtml(line)}</span>` : escapeHtml(line))).join("\n")}</pre>
<p>To use it, type the three lines from <code># created</code> to <code>AGE-SECRET-KEY-1…</code> into a file <code>kit.txt</code>, then:<br>
<code>age -d -i kit.txt backup-…-database.sql.gz.age | gunzip &gt; dump.sql</code></p>
</body></html>`);
  page.document.close();
  page.focus();
  page.print();
}
