/**
 * Shared-memory telemetry: counters per stage and per peer in a file under /dev/shm,
 * written by the owning threads without locks or allocation and read from another
 * process by {@code m13 monitor} and the opt-in Prometheus endpoint. The byte layout
 * is in {@link org.m13.telemetry.TelemetryLayout}; docs/TELEMETRY.md has the table.
 */
@CheckReturnValue
package org.m13.telemetry;

import com.google.errorprone.annotations.CheckReturnValue;
