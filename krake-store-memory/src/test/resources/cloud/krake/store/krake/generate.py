#!/usr/bin/env python3
"""Writes documents shaped as a running Krake stores them in etcd, for the takeover test.

Each document holds every field of Krake's data classes (krake/data/core.py, kubernetes.py,
infrastructure.py), in their declaration order, as Krake's `serialize()` writes them: enums by
name, datetimes as ISO 8601 with a "+00:00" offset and microseconds, absent optionals as null,
empty lists and dicts written out. The hook credentials are those Krake's controller stores:
a token and, with TLS, a client certificate without any extension (no SAN) and its key.

The field lists are taken from Krake's model by reading it; the values are made up. Run from
this directory: `python3 generate.py > krake-documents.json` (one JSON document per line).
"""
import json
import sys

T_CREATED = "2026-11-20T08:15:30.123456+00:00"
T_MODIFIED = "2026-11-20T08:16:01.000001+00:00"
T_SCHEDULED = "2026-11-20T08:16:02.500000+00:00"
T_TRIGGERED = "2026-11-20T08:16:03.250000+00:00"

# A certificate shaped as Krake's generate_certificate output (v1-like, no extensions). The
# bytes are not a parseable certificate on purpose: the model keeps the PEM text as it is.
KRAKE_CERT = (
    "-----BEGIN CERTIFICATE-----\n"
    "TUlJQnV6Q0NBV0dnQXdJQkFnSVVLUkFLRS1JU1NVRUQtTk8tU0FOLUhPT0stQ0VSVA==\n"
    "-----END CERTIFICATE-----\n"
)
KRAKE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "TUlJRXBBSUJBQUtDQVFFQUtSQUtFLUlTU1VFRC1QUklWQVRFLUtFWQ==\n"
    "-----END RSA PRIVATE KEY-----\n"
)


def metadata(name, namespace, labels=None, owners=None, finalizers=None, inherit_labels=False):
    return {
        "name": name,
        "namespace": namespace,
        "labels": labels or {},
        "inherit_labels": inherit_labels,
        "finalizers": finalizers or [],
        "uid": "0b6d2a3c-5f51-4bde-9a8e-%012d" % (sum(map(ord, name)) * 7919),
        "created": T_CREATED,
        "modified": T_MODIFIED,
        "deleted": None,
        "owners": owners or [],
    }


def ref(api, namespace, kind, name):
    return {"api": api, "namespace": namespace, "kind": kind, "name": name}


def metric_ref(name, weight, namespaced=False):
    return {"name": name, "weight": weight, "namespaced": namespaced}


def cloud(kind, name, namespace, labels, metrics):
    return {
        "api": "infrastructure",
        "kind": kind,
        "metadata": metadata(name, namespace, labels),
        "spec": {
            "type": "openstack",
            "openstack": {
                "url": "https://keystone.example.com:5000/v3",
                "auth": {
                    "type": "password",
                    "password": {
                        "version": "3",
                        "user": {
                            "username": "krake",
                            "password": "openstack-secret",
                            "domain_name": "Default",
                            "comment": None,
                        },
                        "project": {"name": "krake", "domain_id": "default", "comment": None},
                    },
                },
                "metrics": metrics,
                "infrastructure_provider": {"name": "im-provider", "namespaced": False},
            },
        },
        "status": {"state": "ONLINE", "metrics_reasons": {}},
    }


CLOUD_REF = ref("infrastructure", "system:admin", "Cloud", "os-cloud-1")
CLUSTER_REF = ref("kubernetes", "system:admin", "Cluster", "my-cluster")

cluster = {
    "api": "kubernetes",
    "kind": "Cluster",
    "metadata": metadata(
        "my-cluster",
        "system:admin",
        {"location": "DE"},
        owners=[CLOUD_REF],
        inherit_labels=True,
    ),
    "spec": {
        "kubeconfig": {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "admin@my-cluster",
            "clusters": [
                {"name": "my-cluster", "cluster": {"server": "https://10.0.0.10:6443"}}
            ],
            "contexts": [
                {"name": "admin@my-cluster", "context": {"cluster": "my-cluster", "user": "admin"}}
            ],
            "users": [{"name": "admin", "user": {"token": "kube-secret"}}],
            "preferences": {},
        },
        "tosca": {},
        "custom_resources": [],
        "constraints": {"cloud": {"labels": ["location=DE"], "metrics": ["green_energy_ratio_1>5"]}},
        "metrics": [metric_ref("electricity_cost_1", 1.0)],
        "inherit_metrics": True,
        "backoff": 1,
        "backoff_delay": 1,
        "backoff_limit": -1,
        "auto_generated": False,
    },
    "status": {
        "reason": None,
        "kube_controller_triggered": T_TRIGGERED,
        "state": "ONLINE",
        "metrics_reasons": {},
        "last_applied_tosca": {},
        "nodes": [
            {
                "api": "kubernetes",
                "kind": "ClusterNode",
                "metadata": {"name": "node-1"},
                "status": {
                    "conditions": [
                        {
                            "message": "kubelet is posting ready status",
                            "reason": "KubeletReady",
                            "status": "True",
                            "type": "Ready",
                        }
                    ]
                },
            }
        ],
        "cluster_id": "im-infrastructure-1234",
        "scheduled": T_SCHEDULED,
        "scheduled_to": CLOUD_REF,
        "running_on": CLOUD_REF,
        "retries": 0,
    },
}

manifest = [
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "echo"},
        "spec": {
            "selector": {"matchLabels": {"app": "echo"}},
            "template": {
                "metadata": {"labels": {"app": "echo"}},
                "spec": {"containers": [{"name": "echo", "image": "registry.k8s.io/echoserver:1.10"}]},
            },
        },
    }
]

application = {
    "api": "kubernetes",
    "kind": "Application",
    "metadata": metadata(
        "echo",
        "system:admin",
        {"app": "echo"},
        owners=[CLUSTER_REF],
        finalizers=["kubernetes_resources_deletion"],
    ),
    "spec": {
        "manifest": manifest,
        "tosca": {},
        "csar": None,
        "observer_schema": [],
        "constraints": {
            "cluster": {"labels": ["location is DE"], "custom_resources": [], "metrics": []},
            "migration": True,
        },
        "hooks": ["complete", "shutdown"],
        "shutdown_grace_time": 30,
        "shutdown_failure_strategy": "give_up",
        "shutdown_retry_count": 1,
        "backoff": 1,
        "backoff_delay": 1,
        "backoff_limit": -1,
        "storage_migration": "none",
        "auto_cluster_create": False,
    },
    "status": {
        "reason": None,
        "state": "RUNNING",
        "container_health": {"desired_pods": 1, "running_pods": 1, "completed_pods": 0, "failed_pods": 0},
        "kube_controller_triggered": T_TRIGGERED,
        "scheduled": T_SCHEDULED,
        "scheduled_to": CLUSTER_REF,
        "running_on": CLUSTER_REF,
        "retries": None,
        "scheduled_retry": None,
        "services": {},
        "mangled_observer_schema": [],
        "last_observed_manifest": [],
        "last_applied_manifest": manifest,
        "complete_token": "krake-complete-token",
        "complete_cert": KRAKE_CERT,
        "complete_key": KRAKE_KEY,
        "shutdown_token": "krake-shutdown-token",
        "shutdown_cert": KRAKE_CERT,
        "shutdown_key": KRAKE_KEY,
        "shutdown_grace_period": None,
        "auto_cluster_create_started": None,
        "migration_retries": 0,
        "migration_timeout": 0,
    },
}

documents = [
    application,
    cluster,
    cloud(
        "Cloud",
        "os-cloud-1",
        "system:admin",
        {"location": "DE"},
        [metric_ref("electricity_cost_1", 1.0), metric_ref("green_energy_ratio_1", 10.0)],
    ),
    cloud("GlobalCloud", "os-global", None, {"location": "SK"}, [metric_ref("electricity_cost_1", 10.0)]),
]

for document in documents:
    sys.stdout.write(json.dumps(document, sort_keys=False) + "\n")
