-- Activity for everyone: a comment remembers how it was written (via, and the token with its name
-- then), as its activity entry does, so a task page shows "via MCP · “Cursor on laptop”" beside
-- each comment without reading the feed; and "what my tokens did" gets an index of its own.
ALTER TABLE "comments" ADD COLUMN "via" text;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "token_id" uuid;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "token_name" text;--> statement-breakpoint
-- listActivity "my tokens": `actor_id = $1 and token_id is not null order by seq desc`. Partial, so
-- it holds token entries only and is never walked past what the person did in the console.
CREATE INDEX "activity_actor_id_token_seq_idx" ON "activity" USING btree ("actor_id","seq" DESC NULLS FIRST) WHERE "activity"."token_id" is not null;--> statement-breakpoint
-- Existing comments take via and token from their `comment.added` entry: written in the same
-- transaction, the entry has the comment's author and the same time (both `now()`, both in
-- milliseconds). Found through activity_target_seq_idx; a comment no entry matches keeps nulls.
UPDATE "comments" SET "via" = "a"."via", "token_id" = "a"."token_id", "token_name" = "a"."token_name"
FROM "activity" "a"
WHERE "a"."target_type" = 'task' AND "a"."target_id" = "comments"."task_id"::text
  AND "a"."action" = 'comment.added' AND "a"."actor_id" = "comments"."author_id"
  AND "a"."at" = "comments"."created_at";
