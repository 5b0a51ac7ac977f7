const WORDS: Record<string, string> = { api: "API", ssh: "SSH", sftp: "SFTP", ftp: "FTP", s3: "S3" };

function words(part: string): string {
  return part
    .split("_")
    .map((w) => WORDS[w] ?? w)
    .join(" ");
}

/** "storage_location.test" → "Storage location · test". */
export function actionLabel(action: string): string {
  const dot = action.indexOf(".");
  const subject = words(dot === -1 ? action : action.slice(0, dot));
  const label = subject.charAt(0).toUpperCase() + subject.slice(1);
  return dot === -1 ? label : `${label} · ${words(action.slice(dot + 1))}`;
}
