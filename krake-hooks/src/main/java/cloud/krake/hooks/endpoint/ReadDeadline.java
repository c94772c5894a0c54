package cloud.krake.hooks.endpoint;

/**
 * The read phase of one request: the timer interrupts the thread if the phase is still running when
 * it expires; the handler ends the phase once the body is read.
 */
final class ReadDeadline {
  private final Thread thread;
  // Guarded by this.
  private boolean reading = true;
  private boolean expired;

  ReadDeadline(Thread thread) {
    this.thread = thread;
  }

  synchronized void expire() {
    if (reading) {
      reading = false;
      expired = true;
      thread.interrupt();
    }
  }

  /** Ends the read phase; returns false if the deadline had expired. */
  synchronized boolean finish() {
    reading = false;
    return !expired;
  }
}
