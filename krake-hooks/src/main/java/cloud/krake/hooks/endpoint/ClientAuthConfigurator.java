package cloud.krake.hooks.endpoint;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/** Requires a client certificate on every TLS connection. */
final class ClientAuthConfigurator extends HttpsConfigurator {
  ClientAuthConfigurator(SSLContext context) {
    super(context);
  }

  @Override
  public void configure(HttpsParameters params) {
    SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
    parameters.setNeedClientAuth(true);
    params.setSSLParameters(parameters);
  }
}
