-- Role bindings declared in configuration (kind RoleBinding) carry their document's name; those made
-- through the API or the CLI have none. An apply manages the named ones only.
alter table role_bindings add column name varchar(63);
create unique index role_bindings_name on role_bindings (name);
