-- The exchange an amqp subscription publishes to (null for other sinks). Subscriptions made before
-- this column existed could only be http ones: none needs a value.
alter table event_subscriptions add column exchange varchar(255);
