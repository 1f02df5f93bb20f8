/**
 * Receiver feedback for lossy links: per-interval loss, burst, jitter (the RFC 3550
 * estimator in fixed point) and receive-rate statistics, and the flyweight of the
 * report a receiver sends back (flag {@code FEEDBACK}). Time is always passed in:
 * nothing here reads a clock, starts a thread or allocates per packet.
 */
@CheckReturnValue
package org.m13.feedback;

import com.google.errorprone.annotations.CheckReturnValue;
