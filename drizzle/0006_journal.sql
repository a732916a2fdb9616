CREATE TABLE `journal` (
	`seq` integer PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`at` text NOT NULL,
	`actor` text,
	`request_id` text,
	`op` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`version_before` integer,
	`version_after` integer,
	`changes` text NOT NULL,
	`compat` text NOT NULL,
	`cascade` integer NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `journal_tenant_seq_at` ON `journal` (`tenant`,`seq`,`at`);--> statement-breakpoint
CREATE TABLE `journal_chains` (
	`tenant` text PRIMARY KEY NOT NULL,
	`head_seq` integer NOT NULL,
	`head_hash` text NOT NULL,
	`checkpoint_seq` integer,
	`checkpoint_hash` text
);
