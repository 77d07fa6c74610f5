-- The console's sessions (Spring Session's JDBC store, its tables named by spring.session.jdbc.table-name), so
-- that any of several servers on one database answers any console page and a restart signs no one out.
create table console_sessions (
    primary_id            char(36)     not null,
    session_id            char(36)     not null,
    creation_time         bigint       not null,
    last_access_time      bigint       not null,
    max_inactive_interval int          not null,
    expiry_time           bigint       not null,
    principal_name        varchar(100),
    constraint console_sessions_pk primary key (primary_id)
);
create unique index console_sessions_ix1 on console_sessions (session_id);
create index console_sessions_ix2 on console_sessions (expiry_time);
create index console_sessions_ix3 on console_sessions (principal_name);

create table console_sessions_attributes (
    session_primary_id char(36)     not null,
    attribute_name     varchar(200) not null,
    attribute_bytes    bytea        not null,
    constraint console_sessions_attributes_pk primary key (session_primary_id, attribute_name),
    constraint console_sessions_attributes_fk foreign key (session_primary_id)
        references console_sessions (primary_id) on delete cascade
);
