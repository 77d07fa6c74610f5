/**
 * The web console: server-rendered pages (jte templates under src/main/jte, compiled by the build) for
 * people in a browser, signed in through the identity module's sign-in. Its pages read through the
 * other modules' public API and hold no state of their own.
 */
package io.gantry.console;
