/** What "deduplication saved" means, wherever storage use shows it. */
export const DEDUP_EXPLAINED = "Filestore files that several backups hold are stored once: this much more space would be used if every backup kept its own copy";
