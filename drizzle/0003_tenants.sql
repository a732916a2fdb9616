CREATE TABLE `tenants` (
	`name` text PRIMARY KEY NOT NULL,
	`packs` text DEFAULT '[]' NOT NULL,
	`schemas` text DEFAULT '[]' NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`created` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`label` text,
	`scope` text DEFAULT 'provision' NOT NULL,
	`hash` text NOT NULL,
	`created` text NOT NULL,
	`expires` text,
	`last_used` text,
	FOREIGN KEY (`tenant`) REFERENCES `tenants`(`name`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_hash` ON `tokens` (`hash`);--> statement-breakpoint
CREATE INDEX `tokens_tenant` ON `tokens` (`tenant`);--> statement-breakpoint
DROP INDEX `resources_user_name_unique`;--> statement-breakpoint
DROP INDEX `resources_type_name`;--> statement-breakpoint
DROP INDEX `resources_type_external_id`;--> statement-breakpoint
ALTER TABLE `resources` ADD `tenant` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `resources_tenant_user_name_unique` ON `resources` (`tenant`,`type`,`name_ci`) WHERE type = 'User';--> statement-breakpoint
CREATE INDEX `resources_tenant_type_name` ON `resources` (`tenant`,`type`,`name_ci`);--> statement-breakpoint
CREATE INDEX `resources_tenant_type_external_id` ON `resources` (`tenant`,`type`,`external_id`);--> statement-breakpoint
INSERT INTO `tenants` (`name`, `created`) VALUES ('default', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));--> statement-breakpoint
INSERT INTO `tokens` (`id`, `tenant`, `label`, `scope`, `hash`, `created`) SELECT lower(hex(randomblob(6))), 'default', 'issued before tenants', 'provision', `value`, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM json_each((SELECT `value` FROM `settings` WHERE `key` = 'token_hashes'));--> statement-breakpoint
DELETE FROM `settings` WHERE `key` = 'token_hashes';
