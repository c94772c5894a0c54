package cloud.krake.hooks.execution;

/** The state of a hook's current attempt in its {@link HookRecord}. */
public enum HookState {
  /** An attempt started and has not reported yet; it owns the hook until its deadline. */
  RUNNING,
  /** The hook succeeded; it is never run again for the same operation. */
  SUCCEEDED,
  /** The last attempt failed; another follows at the record's next-attempt time, if any. */
  FAILED
}
