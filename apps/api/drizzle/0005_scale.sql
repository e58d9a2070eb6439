-- Lists at scale: every list index in the order its query sorts (NULL ordering included: a query's
-- `desc` is DESC NULLS FIRST, and an index built DESC NULLS LAST cannot give that order, so
-- PostgreSQL sorted whole tables instead); token lists page by (created_at, id) in milliseconds;
-- task search gets its indexes. Index comments name their queries in src/db/schema/.
-- Substring search (ILIKE) through trigram indexes. PGlite loads the extension in client.ts.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "tasks_assignee_id_idx";--> statement-breakpoint
DROP INDEX "activity_seq_idx";--> statement-breakpoint
DROP INDEX "activity_actor_id_seq_idx";--> statement-breakpoint
DROP INDEX "activity_project_id_seq_idx";--> statement-breakpoint
DROP INDEX "api_tokens_user_id_created_at_idx";--> statement-breakpoint
DROP INDEX "api_tokens_created_at_idx";--> statement-breakpoint
DROP INDEX "tasks_project_id_created_at_idx";--> statement-breakpoint
-- Rounds existing creation times to milliseconds, what a JavaScript Date (and so a cursor) holds.
ALTER TABLE "api_tokens" ALTER COLUMN "created_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "api_tokens" ALTER COLUMN "created_at" SET DEFAULT now();--> statement-breakpoint
-- Rewrites the table once: every task's words, weighted title A, description B.
ALTER TABLE "tasks" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, "title"), 'A') || setweight(to_tsvector('english'::regconfig, "description"), 'B')) STORED NOT NULL;--> statement-breakpoint
-- listTasks: by project (and, per visible project, without one), newest first, by (created_at, id).
CREATE INDEX "tasks_project_id_created_at_idx" ON "tasks" USING btree ("project_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
-- listTasks by assignee; also serves the assignee foreign key, as the index it replaces did.
CREATE INDEX "tasks_assignee_id_created_at_idx" ON "tasks" USING btree ("assignee_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
-- Task search: words (search @@ websearch_to_tsquery), then substrings of title and description.
CREATE INDEX "tasks_search_idx" ON "tasks" USING gin ("search");--> statement-breakpoint
CREATE INDEX "tasks_title_trgm_idx" ON "tasks" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "tasks_description_trgm_idx" ON "tasks" USING gin ("description" gin_trgm_ops);--> statement-breakpoint
-- listActivity: the feed, by actor, by project; newest first by seq.
CREATE INDEX "activity_seq_idx" ON "activity" USING btree ("seq" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "activity_actor_id_seq_idx" ON "activity" USING btree ("actor_id","seq" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "activity_project_id_seq_idx" ON "activity" USING btree ("project_id","seq" DESC NULLS FIRST);--> statement-breakpoint
-- listTokens / listAllTokens: by user, and all; newest first, paged by (created_at, id).
CREATE INDEX "api_tokens_user_id_created_at_idx" ON "api_tokens" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "api_tokens_created_at_idx" ON "api_tokens" USING btree ("created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);
