package cloud.krake.k8s.internal;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.credentials.Authentication;
import java.io.IOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The official client's {@link Authentication} for tokens that change: an okhttp interceptor that
 * asks its {@link BearerTokenSource} for the token of every request (the source caches it) and
 * tells the source when the server answers 401, as client-go's credential plugin transport does.
 * Installed on the client's okhttp client, it covers requests, watch streams and exec's WebSocket
 * upgrades alike.
 */
final class BearerTokenAuthentication implements Authentication, Interceptor {

  private final BearerTokenSource source;

  BearerTokenAuthentication(BearerTokenSource source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  @Override
  public void provide(ApiClient client) {
    client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(this).build());
  }

  @Override
  public Response intercept(Interceptor.Chain chain) throws IOException {
    String token = source.token();
    Request request =
        chain.request().newBuilder().header("Authorization", "Bearer " + token).build();
    Response response = chain.proceed(request);
    if (response.code() == 401) {
      source.refused(token);
    }
    return response;
  }

  @Override
  public String toString() {
    return "BearerTokenAuthentication[" + source + "]";
  }
}
