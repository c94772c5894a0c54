package cloud.krake.k8s.internal;

import java.io.IOException;

/** Where a cluster client's bearer token comes from, for every request. Thread-safe. */
interface BearerTokenSource {

  /**
   * Returns the token to send now, from the cache or fetched again.
   *
   * @throws CredentialsUnavailableException when no token can be had
   */
  String token() throws IOException;

  /**
   * Forgets a token the server refused (HTTP 401), so that the next request fetches a new one.
   *
   * @param refused the token sent
   */
  void refused(String refused);
}
