package cloud.krake.testing.kubernetes;

import java.util.Arrays;

/**
 * The tail of one container run's output (stdout and stderr interleaved, as the kubelet's log
 * file), at most {@code limit} bytes: older bytes are dropped first.
 *
 * <p>Thread-safe: the pump thread appends while API and test threads read.
 */
final class LogBuffer {
  private final int limit;

  // Guarded by this
  private byte[] data = new byte[256];
  private int length;

  LogBuffer(int limit) {
    this.limit = limit;
  }

  synchronized void append(byte[] bytes, int offset, int count) {
    if (count >= limit) {
      data = Arrays.copyOfRange(bytes, offset + count - limit, offset + count);
      length = limit;
      return;
    }
    int overflow = length + count - limit;
    if (overflow > 0) {
      System.arraycopy(data, overflow, data, 0, length - overflow);
      length -= overflow;
    }
    if (length + count > data.length) {
      data = Arrays.copyOf(data, Math.min(limit, Math.max(data.length * 2, length + count)));
    }
    System.arraycopy(bytes, offset, data, length, count);
    length += count;
  }

  synchronized byte[] bytes() {
    return Arrays.copyOf(data, length);
  }
}
