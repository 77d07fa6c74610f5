package io.gantry.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hashes of the chain. A row's canonical form is every column the table does not write later,
 * by name in alphabetical order, with its value as text (instants in UTC ISO-8601, numbers in plain
 * decimal); a null column is left out, so a nullable column added to a history table later leaves the
 * hashes of older rows as they were (a column added with a default value other than null would change
 * them all: add it nullable, or name it among the table's columns written later). Each name and value
 * is preceded by its length, so no value can pass for another split.
 */
final class Hashes {

  /** What the first entry of the chain follows. */
  static final String GENESIS = "0".repeat(64);

  private Hashes() {}

  static String row(ResultSet rs, HistoryTable table) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    Map<String, String> values = new TreeMap<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      String column = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
      if (table.writtenLater().contains(column)) {
        continue;
      }
      String value = value(rs, md, i);
      if (value != null) {
        values.put(column, value);
      }
    }
    StringBuilder canonical = new StringBuilder(table.name().length() + 64 * values.size());
    canonical.append(table.name().length()).append(':').append(table.name());
    values.forEach((column, value) -> canonical.append(column.length()).append(':').append(column)
        .append(value.length()).append(':').append(value));
    return sha256(canonical.toString());
  }

  /** The hash of an entry: the previous entry's, then this one's place, table, row and row hash. */
  static String chain(String previous, long seq, String table, long rowId, String rowHash) {
    return sha256(previous + "|" + seq + "|" + table + "|" + rowId + "|" + rowHash);
  }

  private static String value(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
    return switch (md.getColumnType(i)) {
      case Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP -> {
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        yield t == null ? null : t.toInstant().toString();
      }
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> {
        long v = rs.getLong(i);
        yield rs.wasNull() ? null : Long.toString(v);
      }
      case Types.BOOLEAN, Types.BIT -> {
        boolean v = rs.getBoolean(i);
        yield rs.wasNull() ? null : Boolean.toString(v);
      }
      case Types.DOUBLE, Types.FLOAT, Types.REAL -> {
        double v = rs.getDouble(i);
        yield rs.wasNull() ? null : Double.toString(v);
      }
      case Types.NUMERIC, Types.DECIMAL -> {
        java.math.BigDecimal v = rs.getBigDecimal(i);
        yield v == null ? null : v.stripTrailingZeros().toPlainString();
      }
      default -> rs.getString(i);
    };
  }

  static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
