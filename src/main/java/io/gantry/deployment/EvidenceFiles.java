package io.gantry.deployment;

import io.gantry.catalog.Digest;
import io.gantry.catalog.LibraryReferences;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The evidence files kept in the library, so that a prune of the library leaves them. */
@Component
class EvidenceFiles implements LibraryReferences {

  private final JdbcClient jdbc;

  EvidenceFiles(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Set<Digest> digests() {
    return jdbc.sql("select distinct digest from evidence").query(String.class).list().stream()
        .map(Digest::parse).collect(Collectors.toSet());
  }
}
