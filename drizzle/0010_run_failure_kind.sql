CREATE TYPE "public"."failure_kind" AS ENUM('source', 'storage', 'verification', 'precondition', 'worker_lost', 'shutdown', 'stopped');--> statement-breakpoint
ALTER TABLE "backups" ADD COLUMN "failure_kind" "failure_kind";--> statement-breakpoint
ALTER TABLE "environment_last_runs" ADD COLUMN "last_run_failure_kind" "failure_kind";--> statement-breakpoint
ALTER TABLE "restores" ADD COLUMN "failure_kind" "failure_kind";--> statement-breakpoint
-- Failures recorded before the kind existed: a storage failure left its phase at "failed while storing"; the
-- reaper and a shutdown said so in the message; the rest failed at the source.
UPDATE "backups" SET "failure_kind" = CASE
  WHEN "progress"->>'phase' = 'failed while storing' THEN 'storage'
  WHEN "error" LIKE 'The worker running this backup stopped unexpectedly%' THEN 'worker_lost'
  WHEN "error" LIKE 'The worker was shut down%' THEN 'shutdown'
  WHEN "error" LIKE 'The backup was stopped%' THEN 'stopped'
  WHEN "error" LIKE 'Verification failed%' THEN 'verification'
  ELSE 'source' END::"failure_kind"
WHERE "status" = 'failed';
--> statement-breakpoint
UPDATE "restores" SET "failure_kind" = CASE
  WHEN "error" LIKE 'The worker running this restore stopped unexpectedly%' THEN 'worker_lost'
  WHEN "error" LIKE 'The worker was shut down%' THEN 'shutdown'
  WHEN "error" LIKE 'The restore was stopped%' THEN 'stopped'
  WHEN "error" LIKE 'The stored%' THEN 'verification'
  ELSE 'source' END::"failure_kind"
WHERE "status" = 'failed';
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "refresh_environment_last_runs"(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO environment_last_runs (environment_id, last_run_status, last_run_failure_kind, last_run_at, last_success_at)
  SELECT e.id, r.status, r.failure_kind, r.finished_at, s.finished_at
  FROM environments e
  LEFT JOIN LATERAL (
    SELECT b.status, b.finished_at, b.failure_kind FROM backups b
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
    last_run_status = excluded.last_run_status, last_run_failure_kind = excluded.last_run_failure_kind,
    last_run_at = excluded.last_run_at, last_success_at = excluded.last_success_at;
$$;
--> statement-breakpoint
SELECT refresh_environment_last_runs(ARRAY(SELECT id FROM environments));
