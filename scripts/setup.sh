#!/usr/bin/env bash
# Installs what the tests need on a Debian machine, and nothing when it is all there already.
#
# Real components the integration tests start themselves (etcd, Prometheus), the tools the
# end-to-end tests call (curl, openssl), the local kubelet's sandbox (bubblewrap) and pod networks
# (iproute2, util-linux) with what Krake's sample hook scripts import (python3-requests), and
# kubectl for the Kasten K10 example hook (Debian's kubernetes-client, unless a kubectl is there
# already: another package's /usr/bin/kubectl would conflict); then the Kubernetes control plane
# (scripts/build-control-plane.sh, which needs Go). Root rights (sudo when not root) are asked for
# only to install packages. Quiet and idempotent.
set -euo pipefail

packages=(etcd-server prometheus curl openssl bubblewrap python3-requests iproute2 util-linux)
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2> /dev/null || true)
missing=()
for package in "${packages[@]}"; do
  if ! grep -qx "$package install ok installed" <<< "$installed"; then
    missing+=("$package")
  fi
done
if ! command -v kubectl > /dev/null; then
  missing+=(kubernetes-client)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo > /dev/null; then
    as_root=(sudo)
  else
    echo "setup: missing packages ${missing[*]}, and not root and no sudo to install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

# The real Kubernetes control planes the integration tests start (KubernetesControlPlane): built
# from Kubernetes' Go modules once per release, then reused from the cache in seconds.
bash "$(dirname "$0")/build-control-plane.sh" > /dev/null
