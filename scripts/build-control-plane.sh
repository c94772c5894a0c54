#!/usr/bin/env bash
# Builds the Kubernetes control plane the tests start (KubernetesControlPlane in krake-testing):
# kube-apiserver, kube-controller-manager and kube-scheduler, from Kubernetes' own Go modules at the
# release control-plane/go.mod requires, into
#   ${KRAKE_CONTROL_PLANE_CACHE:-$HOME/.cache/krake/control-plane}/<release>/bin
# and nothing when the three binaries are there already (so a second run costs well under a
# second; Go's module and build caches make a rebuild of another release cheaper too).
#
# Needs Go (the version control-plane/go.mod names, or newer) and the Go module proxy. The three
# binaries appear at once: a build goes to a temporary directory renamed into place, so an
# interrupted build leaves nothing half-written; concurrent runs wait for each other (flock).
# Prints the bin directory on standard output.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
module="$root/control-plane"
release=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$module/go.mod")
if [ -z "$release" ]; then
  echo "build-control-plane: no 'require k8s.io/kubernetes vX.Y.Z' line in $module/go.mod" >&2
  exit 1
fi
cache="${KRAKE_CONTROL_PLANE_CACHE:-$HOME/.cache/krake/control-plane}"
bin="$cache/$release/bin"
commands=(kube-apiserver kube-controller-manager kube-scheduler)

built() {
  for command in "${commands[@]}"; do
    [ -x "$bin/$command" ] || return 1
  done
}
if built; then
  echo "$bin"
  exit 0
fi

if ! command -v go > /dev/null; then
  echo "build-control-plane: Go is needed to build Kubernetes $release (https://go.dev/dl/)" >&2
  exit 1
fi

# The version the binaries report (GET /version, --version), as Kubernetes' release build sets it.
minor=${release#v1.}
minor=${minor%%.*}
version_package=k8s.io/component-base/version
ldflags="-s -w -X $version_package.gitVersion=$release -X $version_package.gitMajor=1"
ldflags+=" -X $version_package.gitMinor=$minor -X $version_package.gitTreeState=clean"

mkdir -p "$cache/$release"
exec 9> "$cache/$release/.lock"
flock 9
if built; then
  echo "$bin"
  exit 0
fi
staging=$(mktemp -d "$cache/$release/.build-XXXXXX")
trap 'rm -rf "$staging"' EXIT
echo "build-control-plane: building Kubernetes $release (${commands[*]}) into $bin" >&2
started=$(date +%s)
packages=()
for command in "${commands[@]}"; do
  packages+=("k8s.io/kubernetes/cmd/$command")
done
(cd "$module" && go build -mod=readonly -ldflags "$ldflags" -o "$staging/" "${packages[@]}")
rm -rf "$bin"
mv "$staging" "$bin"
trap - EXIT
echo "build-control-plane: built in $(($(date +%s) - started)) s" >&2
echo "$bin"
