/**
 * The operating-system boundary: the JNI library and off-heap memory. Everything
 * here is thin; the C side lives in {@code native/} and mirrors these classes.
 */
@CheckReturnValue
package org.m13.sys;

import com.google.errorprone.annotations.CheckReturnValue;
