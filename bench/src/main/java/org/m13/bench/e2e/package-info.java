/**
 * The end-to-end comparison's report: reads the raw data that {@code bench/e2e/run}
 * writes (results.csv, rtt.csv, status.csv, failures.csv, meta.txt, config-*.md),
 * takes the median of every figure over the interleaved runs, sets each beside
 * wireguard-go's, and writes the dated Markdown table and PNG chart to
 * {@code bench/results/}. {@link org.m13.bench.e2e.CheckM13Config} checks the M13
 * driver's generated hub.yaml and node.yaml. See bench/README.md.
 */
@CheckReturnValue
package org.m13.bench.e2e;

import com.google.errorprone.annotations.CheckReturnValue;
