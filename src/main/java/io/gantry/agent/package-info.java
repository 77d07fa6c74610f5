/**
 * Pull agents: a {@code gantry agent} process on a host Gantry cannot reach registers with a registration
 * token, is approved by a deployment manager and bound to one target of kind {@code agent}, keeps a
 * heartbeat and reports the host's facts. The server side is {@link io.gantry.agent.AgentRegistry} and
 * its API; the agent process is {@link io.gantry.agent.AgentProcess}, which starts without Spring.
 */
package io.gantry.agent;
