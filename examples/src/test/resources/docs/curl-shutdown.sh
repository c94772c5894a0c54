#!/bin/sh
# docs/hooks.md: the shutdown hook called with curl over mTLS. HookCallsIT runs this file with the
# certificate files mounted at the default cert_dest and the two environment variables set.
# tag::curl-shutdown[]
curl --cacert /etc/krake_shutdown_certs/ca-bundle.pem \
     --cert /etc/krake_shutdown_certs/cert.pem --key /etc/krake_shutdown_certs/key.pem \
     -X PUT -d "{\"token\":\"$KRAKE_SHUTDOWN_TOKEN\"}" "$KRAKE_SHUTDOWN_URL"
# end::curl-shutdown[]
