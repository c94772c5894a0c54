/**
 * JMH benchmarks of the stores and hooks, and {@link cloud.krake.benchmarks.ControllerLoad}, the
 * controller load program. Build the module, then run {@code java -jar
 * benchmarks/target/benchmarks.jar [regexp] [JMH options]}; for example {@code java -jar
 * benchmarks/target/benchmarks.jar Etcd -wi 2 -i 3 -w 2s -r 3s -f 1}. The etcd benchmarks start a
 * real etcd ({@link cloud.krake.testing.EtcdServer}) per trial. The load program runs from the same
 * jar with {@code java -cp benchmarks/target/benchmarks.jar cloud.krake.benchmarks.ControllerLoad}
 * ({@code docs/performance.md}).
 */
package cloud.krake.benchmarks;
