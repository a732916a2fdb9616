CREATE TABLE `event_acks` (
	`tenant` text NOT NULL,
	`stream` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`tenant`, `stream`, `seq`),
	FOREIGN KEY (`tenant`,`stream`) REFERENCES `event_streams`(`tenant`,`stream`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `event_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`private_jwk` text NOT NULL,
	`created` text NOT NULL,
	FOREIGN KEY (`tenant`) REFERENCES `tenants`(`name`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `event_keys_tenant` ON `event_keys` (`tenant`);--> statement-breakpoint
CREATE TABLE `event_streams` (
	`tenant` text NOT NULL,
	`stream` text NOT NULL,
	`acked_seq` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`tenant`, `stream`),
	FOREIGN KEY (`tenant`) REFERENCES `tenants`(`name`) ON UPDATE no action ON DELETE cascade
);
