package cloud.krake;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.Resource;
import cloud.krake.store.ResourceEvent;
import cloud.krake.store.ResourceListener;
import cloud.krake.store.Resources;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The waits of {@link Krake}: until a resource, as read from the store and then followed by its
 * watch, meets a condition, or reaches a terminal state. The contracts are those of {@link
 * Krake#await}, {@link Krake#awaitApplication} and {@link Krake#terminal}.
 */
final class ResourceWaits {

  private ResourceWaits() {}

  /** As {@link Krake#await}, reading the revision from {@code store}. */
  static <T extends Resource<T>> Optional<T> await(
      Store store,
      Resources<T> resources,
      String namespace,
      String name,
      Predicate<Optional<T>> condition,
      Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + timeout.toNanos();
    BlockingQueue<Optional<Optional<T>>> seen = new LinkedBlockingQueue<>();
    boolean present = false; // whether the wait has seen the resource exist
    while (true) {
      long revision = store.revision();
      Optional<T> current = resources.get(namespace, name);
      if (condition.test(current)) {
        return current;
      }
      present |= current.isPresent();
      failIfTerminal(resources, namespace, name, current, present);
      ResourceListener<T> listener =
          new ResourceListener<>() {
            @Override
            public void onEvent(ResourceEvent<T> event) {
              if (event.resource().metadata().name().equals(name)) {
                seen.add(
                    Optional.of(
                        event.type() == WatchEvent.Type.DELETED
                            ? Optional.empty()
                            : Optional.of(event.resource())));
              }
            }

            @Override
            public void onCompacted(long compactRevision) {
              seen.add(Optional.empty());
            }

            @Override
            public void onClosed(KrakeException cause) {
              seen.add(Optional.empty());
            }
          };
      Watch watch =
          namespace.isEmpty()
              ? resources.watch(revision + 1, listener)
              : resources.watch(namespace, revision + 1, listener);
      try {
        Optional<T> last = current;
        while (true) {
          long left = deadline - System.nanoTime();
          Optional<Optional<T>> next;
          try {
            next = left <= 0 ? null : seen.poll(left, TimeUnit.NANOSECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KrakeException("interrupted while waiting for " + namespace + "/" + name, e);
          }
          if (next == null) {
            throw new KrakeException(
                resources.type().type().getSimpleName()
                    + " "
                    + namespace
                    + "/"
                    + name
                    + " did not meet the condition within "
                    + timeout
                    + "; last seen: "
                    + last.map(ResourceWaits::describe).orElse("absent"));
          }
          if (next.isEmpty()) {
            break; // compacted or closed: read again
          }
          last = next.get();
          if (condition.test(last)) {
            return last;
          }
          present |= last.isPresent();
          failIfTerminal(resources, namespace, name, last, present);
        }
      } finally {
        watch.close();
      }
    }
  }

  private static <T extends Resource<T>> void failIfTerminal(
      Resources<T> resources, String namespace, String name, Optional<T> last, boolean present) {
    Optional<String> why =
        last.isEmpty()
            ? present ? Optional.of("it was removed from the store") : Optional.empty()
            : terminal(last.get()).map(d -> "it reached a terminal " + d);
    if (why.isPresent()) {
      throw new KrakeException(
          resources.type().type().getSimpleName()
              + " "
              + namespace
              + "/"
              + name
              + " can no longer meet the condition: "
              + why.get());
    }
  }

  /** As {@link Krake#terminal}. */
  static Optional<String> terminal(Resource<?> resource) {
    Objects.requireNonNull(resource, "resource");
    if (resource instanceof Application app
        && app.status().state() == ApplicationState.FAILED
        && !app.metadata().isDeleted()
        && app.status().reason().map(r -> r.code() != ReasonCode.KUBERNETES_ERROR).orElse(true)) {
      return Optional.of(describe(app));
    }
    if (resource instanceof Cluster cluster && cluster.status().state() == ClusterState.FAILED) {
      return Optional.of(describe(cluster));
    }
    return Optional.empty();
  }

  static String describe(Resource<?> resource) {
    if (resource instanceof Application app) {
      return "state "
          + app.status().state()
          + reason(app.status().reason())
          + (app.metadata().isDeleted() ? ", deleted" : "");
    }
    if (resource instanceof Cluster cluster) {
      return "state " + cluster.status().state() + reason(cluster.status().reason());
    }
    return "revision " + resource.metadata().revision();
  }

  private static String reason(Optional<Reason> reason) {
    return reason.map(r -> ", reason " + r.code() + ": " + r.message()).orElse("");
  }
}
