/**
 * A JUnit 5 extension for host platforms that test their use of Krake for Java: {@link
 * cloud.krake.testing.junit.KrakeTestExtension} starts Krake on a {@code MemoryStore} with the
 * Kubernetes backend, fake clusters with local kubelets and the HTTPS hook endpoint, and fails a
 * test on leaked threads or recorded errors.
 *
 * <p>Nothing {@code null} crosses this package's API: maybe-absent values are {@link
 * java.util.Optional}, collections are empty rather than absent, and public methods reject {@code
 * null} arguments with a {@link NullPointerException} naming the parameter.
 */
package cloud.krake.testing.junit;
