package cloud.krake.store.memory;

import cloud.krake.store.KeyValue;
import java.util.ArrayList;
import java.util.List;

/** The versions of one key in revision order; {@code null} marks a deletion. */
final class KeyHistory {
  private final List<Long> revisions = new ArrayList<>(2);
  private final List<KeyValue> values = new ArrayList<>(2);

  void add(long revision, KeyValue kv) {
    revisions.add(revision);
    values.add(kv);
  }

  KeyValue latest() {
    return values.get(values.size() - 1);
  }

  /** Returns the version visible at {@code revision}, or null if none (absent or deleted). */
  KeyValue at(long revision) {
    for (int i = revisions.size() - 1; i >= 0; i--) {
      if (revisions.get(i) <= revision) {
        return values.get(i);
      }
    }
    return null;
  }

  /** Drops versions not visible at or after {@code to}; returns whether nothing is left. */
  boolean compact(long to) {
    int keepFrom = 0;
    for (int i = revisions.size() - 1; i >= 0; i--) {
      if (revisions.get(i) <= to) {
        keepFrom = i;
        break;
      }
    }
    if (keepFrom > 0) {
      revisions.subList(0, keepFrom).clear();
      values.subList(0, keepFrom).clear();
    }
    if (values.get(0) == null && revisions.get(0) <= to) {
      revisions.remove(0);
      values.remove(0);
    }
    return values.isEmpty();
  }
}
