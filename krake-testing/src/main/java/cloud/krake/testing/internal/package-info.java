/** Helpers shared by krake-testing's fixtures; not API. */
package cloud.krake.testing.internal;
