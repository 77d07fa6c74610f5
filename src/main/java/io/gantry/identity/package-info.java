/**
 * Identity: users holding the practice's roles (changed, disabled and enabled by deployment
 * managers), API tokens (shown once, stored hashed, expiring, issued only to their own user, never
 * outliving and revoked with the token that made them) that every API call but health must carry,
 * enrolment codes for a user's first token, and the append-only history of all of it.
 */
package io.gantry.identity;
