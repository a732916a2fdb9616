DROP INDEX `group_members_member`;--> statement-breakpoint
CREATE INDEX `group_members_member_group` ON `group_members` (`member_id`,`group_id`);