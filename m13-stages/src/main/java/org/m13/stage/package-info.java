/**
 * The data plane as stages: the ring event ({@link org.m13.stage.FrameEvent}), the frame
 * slot pool over one off-heap region ({@link org.m13.stage.SlotPool}), the receive-side
 * stages (parse, decrypt, classify, scatter, release) as plain classes with one job
 * each, and the wiring of fused stages onto a Disruptor ring
 * ({@link org.m13.stage.RingPipeline}).
 *
 * <p>Events carry a slot index, offset and length, never packet bytes. A stage that
 * cannot handle a frame marks the event with a {@link org.m13.telemetry.DropReason} and
 * every later stage but release passes it by; release counts the reason and frees the
 * slot. Nothing on the per-frame path allocates, locks or logs.
 */
@CheckReturnValue
package org.m13.stage;

import com.google.errorprone.annotations.CheckReturnValue;
import org.m13.telemetry.DropReason;
