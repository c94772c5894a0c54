package cloud.krake.hooks;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Orders the read-modify-writes of one application's status that the hooks make in one process: the
 * hook endpoint's acknowledgements ({@code PUT .../complete}, {@code PUT .../shutdown}) and the
 * shutdown protocol's record of a call's end ({@code shutdown_call_completed}). An application
 * typically acknowledges its shutdown just after answering the shutdown call, so both writes read
 * the same revision and one of them lost its compare-and-set and wrote again (issue 16: 54
 * compare-and-set conflicts for 100 applications with one instance). Run one after the other, the
 * second reads what the first wrote.
 *
 * <p>Only an ordering inside this JVM, and only a saving: every write is still a compare-and-set
 * that re-reads on a conflict (writers in other processes, and other writers here, are not
 * ordered). The applications are spread over {@value #STRIPES} locks by {@code namespace/name}; a
 * lock is held around the store's read and write of one application, never around a call of an
 * application's service, and no caller takes a second one while holding one (no deadlock).
 * Thread-safe.
 */
public final class ApplicationWriteOrder {

  /** The number of locks the applications are spread over. */
  public static final int STRIPES = 256;

  private static final Object[] LOCKS = new Object[STRIPES];

  static {
    for (int i = 0; i < STRIPES; i++) {
      LOCKS[i] = new Object();
    }
  }

  private ApplicationWriteOrder() {}

  /**
   * Runs {@code readModifyWrite} (a read and a compare-and-set write of the application's status,
   * with its retries) after any other such run for the same application in this JVM has ended, and
   * before the next.
   *
   * @param namespace the application's namespace
   * @param name the application's name
   * @param readModifyWrite the store calls; must not call a service or wait on anything but the
   *     store
   * @return what {@code readModifyWrite} returned; its exceptions are thrown as they are
   */
  public static <T> T inOrder(String namespace, String name, Supplier<T> readModifyWrite) {
    Objects.requireNonNull(readModifyWrite, "readModifyWrite");
    int stripe = Math.floorMod(Objects.hash(namespace, name), STRIPES);
    synchronized (LOCKS[stripe]) {
      return readModifyWrite.get();
    }
  }
}
