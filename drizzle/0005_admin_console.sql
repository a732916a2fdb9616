CREATE TABLE `admin_links` (
	`hash` text PRIMARY KEY NOT NULL,
	`admin` text NOT NULL,
	`created` text NOT NULL,
	`expires` text NOT NULL,
	FOREIGN KEY (`admin`) REFERENCES `admins`(`name`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `admin_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`admin` text NOT NULL,
	`csrf` text NOT NULL,
	`created` text NOT NULL,
	`expires` text NOT NULL,
	FOREIGN KEY (`admin`) REFERENCES `admins`(`name`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `admin_sessions_admin` ON `admin_sessions` (`admin`);--> statement-breakpoint
CREATE TABLE `admins` (
	`name` text PRIMARY KEY NOT NULL,
	`password_hash` text,
	`created` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `resources_tenant_type_modified` ON `resources` (`tenant`,`type`,`last_modified`);