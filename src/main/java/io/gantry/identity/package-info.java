/**
 * Identity: users holding the practice's roles, and API tokens (shown once, stored hashed, expiring,
 * revocable) that every API call but health must carry.
 */
package io.gantry.identity;
