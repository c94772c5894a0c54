package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.PageRequest;
import cloud.krake.store.memory.MemoryStore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * MemoryStore throughput: get, compare-and-set update and a 100-key page, at 1 and 16 threads.
 * Documents are 1 KiB (about the size of a small Application). The CAS benchmark updates a random
 * key of {@link #keys} and counts a lost CAS as an operation too (it re-reads next time), so that
 * contention shows as conflicts rather than as a stall.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar MemoryStore}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class MemoryStoreBenchmark {

  /** How many keys the store holds. */
  @Param({"10000"})
  public int keys;

  private MemoryStore store;
  private byte[] document;
  private String[] keyNames;

  /** Fills the store. */
  @Setup(Level.Trial)
  public void setUp() {
    store = MemoryStore.create();
    document = "x".repeat(1024).getBytes(UTF_8);
    keyNames = new String[keys];
    for (int i = 0; i < keys; i++) {
      keyNames[i] = String.format("/kubernetes/applications/bench/app-%06d", i);
      store.create(keyNames[i], document);
    }
  }

  /** Closes the store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  private String randomKey() {
    return keyNames[ThreadLocalRandom.current().nextInt(keys)];
  }

  /** One get of a random key, single-threaded. */
  @Benchmark
  @Threads(1)
  public void get1(Blackhole bh) {
    bh.consume(store.get(randomKey()));
  }

  /** One get of a random key, 16 threads. */
  @Benchmark
  @Threads(16)
  public void get16(Blackhole bh) {
    bh.consume(store.get(randomKey()));
  }

  /** Read then compare-and-set a random key, single-threaded. */
  @Benchmark
  @Threads(1)
  public KeyValue casUpdate1() {
    return casUpdate();
  }

  /** Read then compare-and-set a random key, 16 threads. */
  @Benchmark
  @Threads(16)
  public KeyValue casUpdate16() {
    return casUpdate();
  }

  private KeyValue casUpdate() {
    KeyValue current = store.get(randomKey()).orElseThrow();
    try {
      return store.update(current.key(), document, current.modRevision());
    } catch (ConflictException e) {
      return current;
    }
  }

  /** One page of 100 keys from a random start, single-threaded. */
  @Benchmark
  @Threads(1)
  public void listPage1(Blackhole bh) {
    bh.consume(store.list("/kubernetes/applications/bench/", new PageRequest(100, randomKey(), 0)));
  }

  /** One page of 100 keys from a random start, 16 threads. */
  @Benchmark
  @Threads(16)
  public void listPage16(Blackhole bh) {
    bh.consume(store.list("/kubernetes/applications/bench/", new PageRequest(100, randomKey(), 0)));
  }
}
