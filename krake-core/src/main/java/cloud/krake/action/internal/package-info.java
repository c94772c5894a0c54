/** The action chain's implementation; not API, may change in any release. */
package cloud.krake.action.internal;
