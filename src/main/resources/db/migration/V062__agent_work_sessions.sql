-- The agent process a piece of work was given to: a piece taken in a session is started with the answer that
-- gives it, and given again to that same session should it ask for work before reporting it (the answer was
-- lost on the way, since a session asks only once it has reported what it was given); never to another one.
alter table agent_work add column session_id varchar(64);
