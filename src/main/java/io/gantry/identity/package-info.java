/**
 * Identity: users holding the practice's roles (changed, disabled and enabled by deployment
 * managers), API tokens (shown once, stored hashed, expiring, issued only to their own user, never
 * outliving and revoked with the token that made them) that every API call but health must carry,
 * enrolment codes for a user's first token, and the append-only history of all of it; with single
 * sign-on, access tokens from the organization's identity provider stand for API tokens. People sign
 * in to the console in a browser, with an API token or at the identity provider, into a session that
 * holds only who they are and authenticates no API call.
 */
package io.gantry.identity;
