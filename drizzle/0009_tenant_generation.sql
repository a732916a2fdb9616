ALTER TABLE `tenants` ADD `generation` text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE `tenants` SET `generation` = lower(hex(randomblob(16)));