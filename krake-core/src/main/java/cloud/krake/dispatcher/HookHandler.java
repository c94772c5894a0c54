package cloud.krake.dispatcher;

/**
 * A handler registered at a {@link DispatcherHookPoint}, as a Krake hook handler. Handlers run on
 * the controller's worker thread of the application concerned, one at a time in registration order;
 * each receives the context the previous one returned.
 */
@FunctionalInterface
public interface HookHandler {

  /**
   * Handles one dispatch.
   *
   * @param context what the point carries
   * @return the context unchanged, or, at points where {@link
   *     DispatcherHookPoint#mayChangeApplication()}, with a changed application
   * @throws Exception any failure; the dispatcher wraps it in a {@link HookException} naming this
   *     handler
   */
  HookContext handle(HookContext context) throws Exception;
}
