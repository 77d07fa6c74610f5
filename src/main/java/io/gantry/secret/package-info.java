/**
 * Secrets (practice guide 4.3, information security of deployments): values such as passwords and
 * API keys that steps need, written once and never read back through the API, encrypted at rest with
 * AES-256-GCM under a key kept outside the database, referenced as {@code ${secret:NAME}} in a shell
 * step's environment and a template step's variables (resolved only when the step runs) and in an SSH
 * target's identity and passphrase (resolved only when a connection is made), named by an ITSM tool's
 * password-secret and token-secret (read at each request), and masked in everything Gantry keeps or
 * shows.
 */
package io.gantry.secret;
