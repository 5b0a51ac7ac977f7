CREATE TABLE "environment_last_runs" (
	"environment_id" uuid PRIMARY KEY NOT NULL,
	"last_run_status" "backup_status",
	"last_run_phase" text,
	"last_run_at" timestamp with time zone,
	"last_success_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "environment_last_runs" ADD CONSTRAINT "environment_last_runs_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE FUNCTION "refresh_environment_last_runs"(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO environment_last_runs (environment_id, last_run_status, last_run_phase, last_run_at, last_success_at)
  SELECT e.id, r.status, r.progress->>'phase', r.finished_at, s.finished_at
  FROM environments e
  LEFT JOIN LATERAL (
    SELECT b.status, b.finished_at, b.progress FROM backups b
    WHERE b.environment_id = e.id AND b.status IN ('completed', 'failed')
    ORDER BY b.created_at DESC NULLS LAST LIMIT 1
  ) r ON true
  LEFT JOIN LATERAL (
    SELECT b.finished_at FROM backups b
    WHERE b.environment_id = e.id AND b.status = 'completed'
    ORDER BY b.finished_at DESC NULLS LAST LIMIT 1
  ) s ON true
  WHERE e.id = ANY(ids)
  ON CONFLICT (environment_id) DO UPDATE SET
    last_run_status = excluded.last_run_status, last_run_phase = excluded.last_run_phase,
    last_run_at = excluded.last_run_at, last_success_at = excluded.last_success_at;
$$;
--> statement-breakpoint
CREATE FUNCTION "backups_refresh_last_runs"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_environment_last_runs(ARRAY(SELECT DISTINCT environment_id FROM new_rows WHERE status IN ('completed', 'failed')));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM refresh_environment_last_runs(ARRAY(SELECT DISTINCT environment_id FROM old_rows WHERE status IN ('completed', 'failed')));
  ELSE
    -- Progress and heartbeat updates every second change neither; only a status or finish time does.
    PERFORM refresh_environment_last_runs(ARRAY(
      SELECT DISTINCT n.environment_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.status IS DISTINCT FROM o.status OR n.finished_at IS DISTINCT FROM o.finished_at
    ));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "backups_last_runs_insert" AFTER INSERT ON "backups" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION backups_refresh_last_runs();
--> statement-breakpoint
CREATE TRIGGER "backups_last_runs_update" AFTER UPDATE ON "backups" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION backups_refresh_last_runs();
--> statement-breakpoint
CREATE TRIGGER "backups_last_runs_delete" AFTER DELETE ON "backups" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION backups_refresh_last_runs();
--> statement-breakpoint
SELECT refresh_environment_last_runs(ARRAY(SELECT id FROM environments));
