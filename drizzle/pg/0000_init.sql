CREATE TABLE "event_acks" (
	"tenant" text NOT NULL,
	"stream" text NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "event_acks_tenant_stream_seq_pk" PRIMARY KEY("tenant","stream","seq")
);
--> statement-breakpoint
CREATE TABLE "event_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"private_jwk" text NOT NULL,
	"created" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_streams" (
	"tenant" text NOT NULL,
	"stream" text NOT NULL,
	"acked_seq" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "event_streams_tenant_stream_pk" PRIMARY KEY("tenant","stream")
);
--> statement-breakpoint
CREATE TABLE "group_members" (
	"group_id" text NOT NULL,
	"member_id" text NOT NULL,
	"member_type" text NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "group_members_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	CONSTRAINT "group_members_group_id_member_id_pk" PRIMARY KEY("group_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "resources_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant" text DEFAULT 'default' NOT NULL,
	"type" text NOT NULL,
	"name_ci" text COLLATE "C",
	"external_id" text COLLATE "C",
	"data" jsonb NOT NULL,
	"version" integer NOT NULL,
	"created" text NOT NULL,
	"last_modified" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"name" text PRIMARY KEY NOT NULL,
	"packs" text DEFAULT '[]' NOT NULL,
	"schemas" text DEFAULT '[]' NOT NULL,
	"settings" text DEFAULT '{}' NOT NULL,
	"created" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"label" text,
	"scope" text DEFAULT 'provision' NOT NULL,
	"hash" text NOT NULL,
	"created" text NOT NULL,
	"expires" text,
	"last_used" text
);
--> statement-breakpoint
ALTER TABLE "event_acks" ADD CONSTRAINT "event_acks_tenant_stream_event_streams_tenant_stream_fk" FOREIGN KEY ("tenant","stream") REFERENCES "public"."event_streams"("tenant","stream") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_keys" ADD CONSTRAINT "event_keys_tenant_tenants_name_fk" FOREIGN KEY ("tenant") REFERENCES "public"."tenants"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_streams" ADD CONSTRAINT "event_streams_tenant_tenants_name_fk" FOREIGN KEY ("tenant") REFERENCES "public"."tenants"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_id_resources_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_member_id_resources_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_tenant_tenants_name_fk" FOREIGN KEY ("tenant") REFERENCES "public"."tenants"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_keys_tenant" ON "event_keys" USING btree ("tenant");--> statement-breakpoint
CREATE INDEX "group_members_member_group" ON "group_members" USING btree ("member_id","group_id");--> statement-breakpoint
CREATE UNIQUE INDEX "resources_tenant_user_name_unique" ON "resources" USING btree ("tenant","type","name_ci") WHERE type = 'User';--> statement-breakpoint
CREATE INDEX "resources_tenant_type_name" ON "resources" USING btree ("tenant","type","name_ci");--> statement-breakpoint
CREATE INDEX "resources_tenant_type_external_id" ON "resources" USING btree ("tenant","type","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "resources_seq" ON "resources" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "resources_manager" ON "resources" USING btree ((data -> 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' -> 'manager' ->> 'value')) WHERE type = 'User' AND (data -> 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' -> 'manager' ->> 'value') IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "tokens_hash" ON "tokens" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "tokens_tenant" ON "tokens" USING btree ("tenant");--> statement-breakpoint
INSERT INTO "tenants" ("name", "created") VALUES ('default', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));