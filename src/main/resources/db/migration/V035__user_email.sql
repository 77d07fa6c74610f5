-- A user's e-mail address, where Gantry's notifications reach them (set by the user, or taken from the
-- identity provider's email claim at sign-in). Null: they receive no e-mail.
alter table users add column email varchar(254);
