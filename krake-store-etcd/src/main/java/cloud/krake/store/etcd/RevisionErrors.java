package cloud.krake.store.etcd;

import cloud.krake.store.CompactedException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Response;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an etcd "out of range" error on a revision-pinned read means for {@link EtcdStore}: a
 * compacted revision ({@link CompactedException} with etcd's compaction revision, learnt from a
 * short watch request) or a future one ({@link IllegalArgumentException}).
 */
final class RevisionErrors {

  private static final Logger log = LoggerFactory.getLogger(EtcdStore.class);

  private RevisionErrors() {}

  /**
   * Translates a gateway error of a read pinned to {@code revision}.
   *
   * @return the exception to throw: {@code e} itself unless it is etcd's out-of-range error
   */
  static RuntimeException translate(EtcdStore store, Gateway.EtcdErrorException e, long revision) {
    if (e.code() != Gateway.CODE_OUT_OF_RANGE || revision == 0) {
      return e;
    }
    if (e.etcdMessage().contains("compacted")) {
      CompactedException compacted =
          new CompactedException(revision, compactRevision(store, revision));
      compacted.initCause(e);
      return compacted;
    }
    if (e.etcdMessage().contains("future")) {
      return new IllegalArgumentException(
          "revision " + revision + " is newer than the store's revision", e);
    }
    return e;
  }

  /**
   * Learns etcd's compaction revision: a watch from a compacted revision is answered with {@code
   * created}, then {@code canceled} with {@code compact_revision}. Bounded by the request timeout;
   * falls back to {@code requested + 1}.
   */
  private static long compactRevision(EtcdStore store, long requested) {
    Call call = store.watchCall("", requested);
    call.timeout().timeout(store.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    try (Response response = call.execute()) {
      if (response.isSuccessful()) {
        BufferedSource source = response.body().source();
        for (int i = 0; i < 3; i++) {
          String line = source.readUtf8Line();
          if (line == null) {
            break;
          }
          JsonNode result = store.mapper().readTree(line).path("result");
          long compactRevision = result.path("compact_revision").asLong(0);
          if (compactRevision > 0) {
            return compactRevision;
          }
          if (result.has("events")) {
            break;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug(
          "cannot learn etcd's compaction revision at {}: {}", store.endpoint(), e.toString());
    } finally {
      call.cancel();
    }
    return requested + 1;
  }
}
