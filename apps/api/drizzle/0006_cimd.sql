-- Client ID Metadata Documents: clients known by the HTTPS URL of their metadata document live in
-- oauth_clients beside registered ones (registration_type 'metadata_document', a text column, so
-- no type change); these columns say when the document was fetched and until when the stored copy
-- is used. No index: clients are found by client_id, which is unique already.
ALTER TABLE "oauth_clients" ADD COLUMN "metadata_fetched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "oauth_clients" ADD COLUMN "metadata_expires_at" timestamp with time zone;--> statement-breakpoint
-- Admin setting: fetch metadata documents from private and loopback addresses too (off).
ALTER TABLE "settings" ADD COLUMN "oauth_client_metadata_private_addresses" boolean DEFAULT false NOT NULL;
