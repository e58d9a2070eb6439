-- Visibility: who did what with which token. Per-token usage by day, client and address
-- (token_usage, batched like last use, kept 90 days) and the client of the last use; activity
-- by token and by target (a task's history); the admin token list by last use; console sessions
-- with their address, browser and last sight; a password change an administrator can require.
CREATE TABLE "token_usage" (
	"token_id" uuid NOT NULL,
	"day" date NOT NULL,
	"client" text DEFAULT '' NOT NULL,
	"address" text DEFAULT '' NOT NULL,
	"requests" integer NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "token_usage_pkey" PRIMARY KEY("token_id","day","client","address")
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "last_used_client" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "ip" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "user_agent" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "password_change_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "token_usage" ADD CONSTRAINT "token_usage_token_id_api_tokens_id_fk" FOREIGN KEY ("token_id") REFERENCES "public"."api_tokens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "token_usage_day_idx" ON "token_usage" USING btree ("day");--> statement-breakpoint
CREATE INDEX "activity_token_id_seq_idx" ON "activity" USING btree ("token_id","seq" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "activity_target_seq_idx" ON "activity" USING btree ("target_type","target_id","seq" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "api_tokens_last_used_at_idx" ON "api_tokens" USING btree ("last_used_at" DESC NULLS LAST,"id" DESC NULLS LAST);