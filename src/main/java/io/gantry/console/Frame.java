package io.gantry.console;

/**
 * What every signed-in page's frame needs: who is signed in, which part of the console the page belongs to
 * (its navigation link is marked current) and the CSRF token that forms and htmx requests send back.
 * Public for the compiled templates only.
 */
public record Frame(String user, String section, String csrfParameter, String csrfHeader, String csrfToken) {

  /** The console's parts, in the order of the navigation bar: path, label. */
  public static final java.util.List<String[]> SECTIONS = java.util.List.of(
      new String[] {"/console/dashboard", "Dashboard"},
      new String[] {"/console/work", "My work"},
      new String[] {"/console/changes", "Changes"},
      new String[] {"/console/calendar", "Calendar"},
      new String[] {"/console/catalog", "Catalog"},
      new String[] {"/console/models", "Models"},
      new String[] {"/console/environments", "Environments"},
      new String[] {"/console/measures", "Measures"},
      new String[] {"/console/incidents", "Incidents"},
      new String[] {"/console/events", "Events"});

  public boolean current(String path) {
    return path.equals(section);
  }
}
