package org.m13.telemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * An opt-in HTTP endpoint serving {@code GET /metrics} in the Prometheus text format
 * (JDK {@code com.sun.net.httpserver}, one thread). Bound to 127.0.0.1 unless told
 * otherwise; the body comes from a supplier called once per scrape, off the data path.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    public static final String PATH = "/metrics";

    private final HttpServer server;

    private PrometheusEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Serves on 127.0.0.1:{@code port} (0: an ephemeral port, see {@link #port()}). */
    public static PrometheusEndpoint startLocal(int port, Supplier<String> body) throws IOException {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), body);
    }

    /** Serves on {@code address}. */
    public static PrometheusEndpoint start(InetSocketAddress address, Supplier<String> body) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        server.createContext("/", exchange -> handle(exchange, body));
        server.start();
        return new PrometheusEndpoint(server);
    }

    private static void handle(HttpExchange exchange, Supplier<String> body) throws IOException {
        try (exchange) {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                reply(exchange, 404, "not found: try " + PATH + "\n");
            } else if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "GET only\n");
            } else {
                String text;
                try {
                    text = body.get();
                } catch (RuntimeException e) {
                    reply(exchange, 500, "telemetry: " + e.getMessage() + "\n");
                    return;
                }
                reply(exchange, 200, text);
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The bound port (the ephemeral one when started with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
