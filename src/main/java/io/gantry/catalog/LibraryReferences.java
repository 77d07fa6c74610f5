package io.gantry.catalog;

import java.util.Set;

/**
 * What another module keeps in the library besides versions' artifacts (evidence attached to manual
 * steps, say): the digests it references, so that {@link Library#prune} leaves those files alone. Its
 * records are read while the library is locked, in the same transaction.
 */
public interface LibraryReferences {

  Set<Digest> digests();
}
