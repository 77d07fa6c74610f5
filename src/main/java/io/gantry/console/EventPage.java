package io.gantry.console;

import io.gantry.events.EventLog;

/** One event: its CloudEvent attributes, the CDEvent as written, and every delivery with its attempts. */
public record EventPage(EventLog.EventDetail event, String cdevent, String problem, String done) {}
