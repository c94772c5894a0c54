/**
 * The runtime's implementation classes; not API, may change without notice. Nothing null crosses
 * their methods.
 */
package cloud.krake.runtime.internal;
