/**
 * Krake's graceful shutdown of applications with the {@code shutdown} hook, before they are deleted
 * or migrated: {@link cloud.krake.hooks.shutdown.ShutdownProtocol} calls the application's shutdown
 * service, waits for its acknowledgement, retries, then applies the failure strategy, keeping its
 * progress in the application's status so that it survives a restart. Nothing here accepts or
 * returns {@code null}.
 */
package cloud.krake.hooks.shutdown;
