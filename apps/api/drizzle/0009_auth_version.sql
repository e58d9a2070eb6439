CREATE TABLE "auth_version" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "auth_version_single_row" CHECK ("auth_version"."id" = 1)
);
--> statement-breakpoint
INSERT INTO "auth_version" ("id", "version") VALUES (1, 0);--> statement-breakpoint
-- Adds one to auth_version, once per transaction: every trigger below is deferred to the commit,
-- so the row lock on auth_version is the last lock a transaction takes (two transactions that
-- change tokens and users in opposite orders cannot deadlock on it), and whoever reads the new
-- number reads the committed change with it.
CREATE FUNCTION "auth_version_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('tessera.auth_version_bumped', true) IS DISTINCT FROM 'on' THEN
    UPDATE "auth_version" SET "version" = "version" + 1 WHERE "id" = 1;
    PERFORM set_config('tessera.auth_version_bumped', 'on', true);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- What token authentication reads of a token. last_used_* and lifetime_days are not among them:
-- recording a token's use never invalidates anything.
CREATE CONSTRAINT TRIGGER "api_tokens_auth_version_update"
AFTER UPDATE OF "user_id", "name", "prefix", "scopes", "secret_hash", "expires_at", "revoked_at" ON "api_tokens"
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN ((OLD."user_id", OLD."name", OLD."prefix", OLD."scopes", OLD."secret_hash", OLD."expires_at", OLD."revoked_at")
  IS DISTINCT FROM (NEW."user_id", NEW."name", NEW."prefix", NEW."scopes", NEW."secret_hash", NEW."expires_at", NEW."revoked_at"))
EXECUTE FUNCTION "auth_version_bump"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "api_tokens_auth_version_delete"
AFTER DELETE ON "api_tokens"
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
EXECUTE FUNCTION "auth_version_bump"();--> statement-breakpoint
-- What it reads of the token's user.
CREATE CONSTRAINT TRIGGER "users_auth_version_update"
AFTER UPDATE OF "email", "name", "role", "disabled" ON "users"
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN ((OLD."email", OLD."name", OLD."role", OLD."disabled")
  IS DISTINCT FROM (NEW."email", NEW."name", NEW."role", NEW."disabled"))
EXECUTE FUNCTION "auth_version_bump"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "users_auth_version_delete"
AFTER DELETE ON "users"
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
EXECUTE FUNCTION "auth_version_bump"();--> statement-breakpoint
-- And the workspace's token policy.
CREATE CONSTRAINT TRIGGER "settings_auth_version_update"
AFTER UPDATE OF "members_can_manage_tokens" ON "settings"
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN (OLD."members_can_manage_tokens" IS DISTINCT FROM NEW."members_can_manage_tokens")
EXECUTE FUNCTION "auth_version_bump"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "settings_auth_version_insert_delete"
AFTER INSERT OR DELETE ON "settings"
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
EXECUTE FUNCTION "auth_version_bump"();--> statement-breakpoint
-- TRUNCATE fires no row triggers; it takes locks on the whole table anyway.
CREATE TRIGGER "api_tokens_auth_version_truncate" AFTER TRUNCATE ON "api_tokens"
FOR EACH STATEMENT EXECUTE FUNCTION "auth_version_bump"();--> statement-breakpoint
CREATE TRIGGER "users_auth_version_truncate" AFTER TRUNCATE ON "users"
FOR EACH STATEMENT EXECUTE FUNCTION "auth_version_bump"();--> statement-breakpoint
CREATE TRIGGER "settings_auth_version_truncate" AFTER TRUNCATE ON "settings"
FOR EACH STATEMENT EXECUTE FUNCTION "auth_version_bump"();
