package cloud.krake.membership;

/**
 * Receives the changes of a {@link KrakeMembership}, e.g. to resync the keys of gained shards.
 *
 * <p>Called on the membership's own thread, one event at a time, in order; a listener must not
 * block (hand long work to another thread). An exception thrown is logged and ignored.
 */
@FunctionalInterface
public interface MembershipListener {

  /**
   * Called after the peers or the owned shards changed.
   *
   * @param event the new view and what changed
   */
  void onChange(MembershipEvent event);
}
