/**
 * JMH benchmarks of the stores. Build the module, then run {@code java -jar
 * benchmarks/target/benchmarks.jar [regexp] [JMH options]}; for example {@code java -jar
 * benchmarks/target/benchmarks.jar Etcd -wi 2 -i 3 -w 2s -r 3s -f 1}. The etcd benchmarks start a
 * real etcd ({@link cloud.krake.testing.EtcdServer}) per trial.
 */
package cloud.krake.benchmarks;
