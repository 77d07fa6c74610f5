package io.gantry.shared;

import java.util.regex.Pattern;

/** The one rule for names of services, components, environments, targets, models and users. */
public final class Names {

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private Names() {}

  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  public static String require(String field, String name) {
    if (!isValid(name)) {
      throw InvalidInputException.of(field, describe(name));
    }
    return name;
  }

  public static String describe(String name) {
    return "\"" + name + "\" is not a valid name: use 1 to 63 lower-case letters, digits and '-', "
        + "starting and ending with a letter or digit";
  }
}
