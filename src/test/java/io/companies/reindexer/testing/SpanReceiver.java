package io.companies.reindexer.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * An OTLP/HTTP receiver of traces ({@code http/protobuf}, what a collector listens to on port 4318), for the tests
 * whose spans come from packaged instances in JVMs of their own: it keeps every span it is sent, with the
 * {@code service.instance.id} of the instance that sent it.
 */
public final class SpanReceiver implements AutoCloseable {

    private static final HexFormat HEX = HexFormat.of();

    /** A span as an instance sent it; ids in lower-case hex, {@code parentSpanId} empty for a root span. */
    public record ReceivedSpan(String instance, String traceId, String spanId, String parentSpanId, String name) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    private SpanReceiver(HttpServer server) {
        this.server = server;
    }

    /** Starts a receiver on a free local port. */
    public static SpanReceiver start() throws IOException {
        SpanReceiver receiver = new SpanReceiver(HttpServer.create(new InetSocketAddress("localhost", 0), 0));
        receiver.server.createContext("/", receiver::receive);
        receiver.server.start();
        return receiver;
    }

    /** What an instance's {@code quarkus.otel.exporter.otlp.traces.endpoint} is set to. */
    public String endpoint() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    /** The spans received so far of {@code traceId}. */
    public List<ReceivedSpan> trace(String traceId) {
        return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream body = "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                        ? new GZIPInputStream(exchange.getRequestBody())
                        : exchange.getRequestBody()) {
            if (exchange.getRequestURI().getPath().endsWith("/v1/traces")) {
                keep(ExportTraceServiceRequest.parseFrom(body));
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    private void keep(ExportTraceServiceRequest request) {
        for (ResourceSpans resource : request.getResourceSpansList()) {
            String instance = resource.getResource().getAttributesList().stream()
                    .filter(attribute -> attribute.getKey().equals("service.instance.id"))
                    .map(KeyValue::getValue).map(value -> value.getStringValue()).findFirst().orElse("");
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (Span span : scope.getSpansList()) {
                    spans.add(new ReceivedSpan(instance, HEX.formatHex(span.getTraceId().toByteArray()),
                            HEX.formatHex(span.getSpanId().toByteArray()),
                            HEX.formatHex(span.getParentSpanId().toByteArray()), span.getName()));
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
