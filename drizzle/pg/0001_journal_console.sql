CREATE SEQUENCE "public"."journal_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "admin_links" (
	"hash" text PRIMARY KEY NOT NULL,
	"admin" text NOT NULL,
	"created" text NOT NULL,
	"expires" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"admin" text NOT NULL,
	"csrf" text NOT NULL,
	"created" text NOT NULL,
	"expires" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admins" (
	"name" text PRIMARY KEY NOT NULL,
	"password_hash" text,
	"created" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journal" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"at" text NOT NULL,
	"actor" text,
	"request_id" text,
	"op" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text NOT NULL,
	"version_before" integer,
	"version_after" integer,
	"changes" text NOT NULL,
	"compat" text NOT NULL,
	"cascade" integer NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journal_chains" (
	"tenant" text PRIMARY KEY NOT NULL,
	"head_seq" bigint NOT NULL,
	"head_hash" text NOT NULL,
	"checkpoint_seq" bigint,
	"checkpoint_hash" text
);
--> statement-breakpoint
ALTER TABLE "group_members" ALTER COLUMN "group_id" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "group_members" ALTER COLUMN "member_id" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "resources" ALTER COLUMN "id" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "resources" ALTER COLUMN "last_modified" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "admin_links" ADD CONSTRAINT "admin_links_admin_admins_name_fk" FOREIGN KEY ("admin") REFERENCES "public"."admins"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admin_sessions" ADD CONSTRAINT "admin_sessions_admin_admins_name_fk" FOREIGN KEY ("admin") REFERENCES "public"."admins"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_sessions_admin" ON "admin_sessions" USING btree ("admin");--> statement-breakpoint
CREATE INDEX "journal_tenant_seq_at" ON "journal" USING btree ("tenant","seq","at");--> statement-breakpoint
CREATE INDEX "resources_tenant_type_modified" ON "resources" USING btree ("tenant","type","last_modified");