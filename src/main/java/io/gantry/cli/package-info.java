/**
 * The {@code gantry} command line: a thin client of the REST API (plan, apply, push, get, ...) and the
 * launcher of the server. Nothing here touches Spring except the server launcher, so client commands
 * start fast.
 */
package io.gantry.cli;
