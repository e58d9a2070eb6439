DROP INDEX "activity_at_id_idx";--> statement-breakpoint
DROP INDEX "activity_actor_id_at_idx";--> statement-breakpoint
ALTER TABLE "activity" ADD COLUMN "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "activity_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
CREATE INDEX "activity_seq_idx" ON "activity" USING btree ("seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "activity_actor_id_seq_idx" ON "activity" USING btree ("actor_id","seq" DESC NULLS LAST);