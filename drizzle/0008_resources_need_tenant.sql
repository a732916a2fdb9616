-- A resource belongs to a tenant that exists: a server that has not yet seen a tenant's removal
-- (it reads the tenants table every 250 ms) must not write rows a tenant made again under the
-- same name would inherit. A trigger, not a foreign key, so no table is rebuilt to add it.
CREATE TRIGGER `resources_need_tenant` BEFORE INSERT ON `resources`
WHEN NOT EXISTS (SELECT 1 FROM `tenants` WHERE `name` = NEW.`tenant`)
BEGIN
  SELECT RAISE(ABORT, 'resources_need_tenant');
END;
