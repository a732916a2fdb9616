DROP INDEX `resources_tenant_type_modified`;--> statement-breakpoint
CREATE INDEX `resources_type_modified_tenant` ON `resources` (`type`,`last_modified`,`tenant`);