/**
 * Topology: which stages run on which thread, which ring each thread consumes, how each
 * waits and where it is pinned, validated before anything starts (the Java form of the
 * reference design's "every node is alive" audit). The typed model here is what the
 * YAML files ({@code config/topology/*.yaml}) will bind into.
 */
@CheckReturnValue
package org.m13.topology;

import com.google.errorprone.annotations.CheckReturnValue;
