/**
 * The service catalog and the definitive media library (DML): services, their components, and the
 * immutable versions of those components with their artifacts stored by SHA-256 digest.
 */
package io.gantry.catalog;
