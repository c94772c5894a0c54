# docs/hooks.md: the complete hook called with Python requests over mTLS, as Krake's sample
# hook-complete.yaml does. HookCallsIT runs this file with the certificate files mounted at the
# default cert_dest and the two environment variables set.
# tag::requests-complete[]
import os

import requests

certs = "/etc/krake_complete_certs"
response = requests.put(
    os.getenv("KRAKE_COMPLETE_URL"),
    json={"token": os.getenv("KRAKE_COMPLETE_TOKEN")},
    verify=f"{certs}/ca-bundle.pem",
    cert=(f"{certs}/cert.pem", f"{certs}/key.pem"),
)
print(response.status_code, response.text)
# end::requests-complete[]
