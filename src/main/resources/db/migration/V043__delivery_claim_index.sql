-- The due deliveries are claimed oldest first: with the id in the index, and the claim ordered by all three of its
-- columns, the databases read them in the index's order and stop at the claim's limit (without it H2 sorted every
-- due delivery on each claim, which under a backlog cost more than the sends).
drop index event_deliveries_due;
create index event_deliveries_due on event_deliveries (state, next_attempt_at, id);
