#!/bin/sh
# docs/hooks.md: the complete hook called with curl over mTLS. HookCallsIT runs this file with the
# certificate files mounted at the default cert_dest and the two environment variables set.
# tag::curl-complete[]
curl --cacert /etc/krake_complete_certs/ca-bundle.pem \
     --cert /etc/krake_complete_certs/cert.pem --key /etc/krake_complete_certs/key.pem \
     -X PUT -d "{\"token\":\"$KRAKE_COMPLETE_TOKEN\"}" "$KRAKE_COMPLETE_URL"
# end::curl-complete[]
