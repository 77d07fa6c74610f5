package io.gantry.shared;

import java.util.List;
import java.util.function.Function;

/** One page of a list, with what is needed to ask for the next. */
public record Page<T>(List<T> items, int page, int size, long total) {

  /** The page {@code request} asks for of a list held whole. */
  public static <T> Page<T> of(List<T> all, PageRequest request) {
    int from = (int) Math.min(all.size(), request.offset());
    return new Page<>(List.copyOf(all.subList(from, (int) Math.min(all.size(), (long) from + request.size()))),
        request.page(), request.size(), all.size());
  }

  public <R> Page<R> map(Function<T, R> mapper) {
    return new Page<>(items.stream().map(mapper).toList(), page, size, total);
  }

  public boolean hasNext() {
    return (long) (page + 1) * size < total;
  }
}
