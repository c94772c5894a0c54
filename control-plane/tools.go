//go:build tools

// Package tools pins the Kubernetes control plane the tests run: go.mod requires
// k8s.io/kubernetes at one release and replaces every k8s.io staging module with the matching
// v0.x tag (Kubernetes' own go.mod points them at ./staging, which a module download lacks).
// scripts/build-control-plane.sh builds the three commands below from this module.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
