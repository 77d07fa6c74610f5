-- Groups: a user's groups (kept by deployment managers, or as the identity provider last said at
-- sign-in), and role bindings that name a group instead of a user: every member holds the role there.
-- Written in SQL that both PostgreSQL and H2 (MODE=PostgreSQL) accept.

create table user_groups (
  user_name   varchar(63) not null references users (name),
  group_name  varchar(56) not null,
  primary key (user_name, group_name)
);
create index user_groups_group on user_groups (group_name);

alter table role_bindings add column group_name varchar(56);
alter table role_bindings alter column user_name drop not null;
alter table role_bindings add constraint role_bindings_subject
  check ((user_name is null and group_name is not null) or (user_name is not null and group_name is null));
