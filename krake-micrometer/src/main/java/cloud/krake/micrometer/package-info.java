/**
 * Micrometer meters for Krake for Java: {@link cloud.krake.micrometer.MicrometerKrakeMetrics}
 * records what the library reports through {@link cloud.krake.runtime.KrakeMetricsRecorder} and
 * binds gauges of a running {@link cloud.krake.Krake}. Nothing null crosses the public API.
 */
package cloud.krake.micrometer;
