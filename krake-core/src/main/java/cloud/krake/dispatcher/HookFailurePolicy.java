package cloud.krake.dispatcher;

/**
 * What a failure of a handler at a {@link DispatcherHookPoint} does to the operation the point
 * belongs to. Each point declares its policy ({@link DispatcherHookPoint#failurePolicy()}); the
 * {@link HookDispatcher} applies {@link #LOG} itself, the controllers apply {@link #ABORT} and
 * {@link #RETRY} to the {@link HookException} the dispatcher throws (it names the point: {@link
 * HookException#point()}).
 *
 * <p>A failure is a handler that throws, returns no context or one for another point, or changes
 * the application at a point that allows no change.
 */
public enum HookFailurePolicy {
  /**
   * The operation stops at the failed handler (the handlers after it do not run) and the
   * application goes FAILED with the handler's reason: {@code INVALID_RESOURCE} for an {@code
   * InvalidResourceException}, the Kubernetes reason for a {@code KubernetesException}, {@code
   * INTERNAL_ERROR} otherwise. It is not retried until its spec changes (a {@code KUBERNETES_ERROR}
   * is retried with back-off, as every transient API failure). As Krake, whose dispatcher lets the
   * exception reach the controller.
   */
  ABORT,

  /**
   * The operation stops at the failed handler (the handlers after it do not run), nothing it had
   * not done yet is done, the state is left as it is, and the whole operation is tried again with
   * the controller's per-key exponential back-off (the work queue's: from 5 ms, doubling, at most 5
   * minutes), so the handler is called again until it succeeds. For the operations that must happen
   * in the end, a deletion or a cluster's registration and removal: a handler failing once does not
   * leave them half done for ever.
   */
  RETRY,

  /**
   * The failure is logged at WARN, naming the handler and the point; the handlers after it still
   * run, and the operation goes on as if the failed handler had returned the context it received.
   * For the points after an operation has completed: a handler cannot undo it.
   */
  LOG
}
