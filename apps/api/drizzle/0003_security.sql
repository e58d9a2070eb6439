ALTER TABLE "activity" ADD COLUMN "project_id" uuid;--> statement-breakpoint
ALTER TABLE "settings" ADD COLUMN "setup_code_hash" text;--> statement-breakpoint
CREATE INDEX "activity_project_id_seq_idx" ON "activity" USING btree ("project_id","seq" DESC NULLS LAST);--> statement-breakpoint
-- Backfill: project and task entries carry their project, so project-restricted callers see them.
UPDATE "activity" SET "project_id" = "target_id"::uuid WHERE "target_type" = 'project' AND "target_id" ~ '^[0-9a-f-]{36}$';--> statement-breakpoint
UPDATE "activity" SET "project_id" = "tasks"."project_id" FROM "tasks" WHERE "activity"."target_type" = 'task' AND "activity"."target_id" = "tasks"."id"::text;
