package cloud.krake.model;

/**
 * A {@link Resource} with a {@code status} subresource: written only through status updates, never
 * by a main update, as Krake's {@code subresource} fields.
 *
 * @param <T> the implementing record type
 * @param <S> the status record type
 */
public interface StatusResource<T extends StatusResource<T, S>, S> extends Resource<T> {

  /** Returns the status. */
  S status();

  /**
   * Returns a copy with another status.
   *
   * @param status the new status
   */
  T withStatus(S status);
}
