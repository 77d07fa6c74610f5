package io.gantry.shared;

/**
 * Which page of a list to return: 0-based page number and a size from 1 to 500. The first row of the
 * page ({@code page * size}) must lie within {@link #MAX_OFFSET}, so that no page can overflow the
 * offset handed to the database.
 */
public record PageRequest(int page, int size) {

  public static final int MAX_SIZE = 500;
  /** The furthest row a page may start at. */
  public static final long MAX_OFFSET = Integer.MAX_VALUE;

  public PageRequest {
    if (page < 0) {
      throw new InvalidParameterException("page", "page must be 0 or more, was " + page);
    }
    InvalidParameterException.within("size", size, 1, MAX_SIZE);
    if ((long) page * size > MAX_OFFSET) {
      throw new InvalidParameterException("page", "page " + page + " of size " + size + " starts past row "
          + MAX_OFFSET + ", the furthest a list goes; page must be at most " + MAX_OFFSET / size + " for size " + size);
    }
  }

  public static PageRequest all() {
    return new PageRequest(0, MAX_SIZE);
  }

  public long offset() {
    return (long) page * size;
  }
}
