-- A resource's history is read through pointers instead of the (tenant, resource_id) index, whose
-- random page per PATCH was most of what the journal added to a commit. Existing entries are linked
-- with that index before it goes.
CREATE TABLE `journal_deleted` (
	`resource_id` text PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `journal` ADD `resource_prev_seq` integer;--> statement-breakpoint
ALTER TABLE `resources` ADD `journal_seq` integer;--> statement-breakpoint
UPDATE `journal` SET `resource_prev_seq` = (SELECT max(p.`seq`) FROM `journal` p
  WHERE p.`tenant` = `journal`.`tenant` AND p.`resource_id` = `journal`.`resource_id` AND p.`seq` < `journal`.`seq`);--> statement-breakpoint
UPDATE `resources` SET `journal_seq` = (SELECT max(j.`seq`) FROM `journal` j
  WHERE j.`tenant` = `resources`.`tenant` AND j.`resource_id` = `resources`.`id`);--> statement-breakpoint
INSERT OR REPLACE INTO `journal_deleted` (`resource_id`, `tenant`, `seq`)
  SELECT j.`resource_id`, j.`tenant`, max(j.`seq`) FROM `journal` j
  WHERE NOT EXISTS (SELECT 1 FROM `resources` r WHERE r.`id` = j.`resource_id` AND r.`tenant` = j.`tenant`)
  GROUP BY j.`tenant`, j.`resource_id`;--> statement-breakpoint
DROP INDEX `journal_tenant_resource`;
