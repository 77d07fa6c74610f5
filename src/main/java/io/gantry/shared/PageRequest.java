package io.gantry.shared;

/** Which page of a list to return: 0-based page number and a size from 1 to 500. */
public record PageRequest(int page, int size) {

  public static final int MAX_SIZE = 500;

  public PageRequest {
    if (page < 0) {
      throw InvalidInputException.of("page", "page must be 0 or more, was " + page);
    }
    if (size < 1 || size > MAX_SIZE) {
      throw InvalidInputException.of("size", "size must be between 1 and " + MAX_SIZE + ", was " + size);
    }
  }

  public static PageRequest all() {
    return new PageRequest(0, MAX_SIZE);
  }

  public int offset() {
    return page * size;
  }
}
