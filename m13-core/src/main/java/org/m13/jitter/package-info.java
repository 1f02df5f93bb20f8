/**
 * The jitter buffer: restores the order of tunnel packets within a bounded delay.
 * Time is passed in; no threads, no allocation per packet.
 */
@CheckReturnValue
package org.m13.jitter;

import com.google.errorprone.annotations.CheckReturnValue;
