/**
 * A fake Kubernetes API server for tests: {@link
 * cloud.krake.testing.kubernetes.FakeKubernetesApiServer} serves the real HTTP API (discovery,
 * CRUD, patch, server-side apply, status subresource, watch, {@code Status} errors) from memory,
 * with fault injection, so that code using any Kubernetes client can be tested without a cluster.
 * {@link cloud.krake.testing.kubernetes.LocalKubelet} runs the Pods of such a fake cluster, or of a
 * real control plane as its Node, as local processes.
 *
 * <p>Nothing in this package returns {@code null}; {@code null} is accepted only where a parameter
 * says so (the namespace of cluster-scoped objects, the wildcards of {@code failRequests}).
 */
package cloud.krake.testing.kubernetes;
