package cloud.krake.spring.boot;

import cloud.krake.Krake;

/**
 * Changes the {@link Krake.Builder} of the auto-configured {@link Krake} before it is built, after
 * the store, the workers and the {@code KrakeExtension} beans were set: e.g. a scheduler
 * configuration, metrics providers, a dispatcher hook or a component of the host's. Every bean of
 * this type is applied, in {@link org.springframework.core.annotation.Order} order, on the thread
 * that creates the beans.
 */
@FunctionalInterface
public interface KrakeBuilderCustomizer {

  /**
   * Changes the builder.
   *
   * @param builder the builder of the instance about to be built
   */
  void customize(Krake.Builder builder);
}
