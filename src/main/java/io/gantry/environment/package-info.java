/** Environments (development to production, controlled or not, on promotion paths) and their targets. */
package io.gantry.environment;
