#!/bin/sh
# docs/hook-endpoint.md: the complete hook called with curl over plain HTTP (TLS disabled).
# HookCallsIT runs this file against a plain-HTTP hook endpoint.
# tag::curl-complete-plain[]
curl -X PUT -d "{\"token\":\"$KRAKE_COMPLETE_TOKEN\"}" "$KRAKE_COMPLETE_URL"
# end::curl-complete-plain[]
