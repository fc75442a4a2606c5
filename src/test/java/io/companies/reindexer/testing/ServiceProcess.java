package io.companies.reindexer.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) in a JVM of its own, so that a test can kill it
 * the way an orchestrator or a crash does. Its log goes to {@code target/<name>.log}.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final String name;
    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the jar with these configuration properties and returns once it reports ready. */
    public static ServiceProcess start(String name, Map<String, String> properties) throws Exception {
        return start(name, properties, JAR);
    }

    /** Starts {@code jar}, another build of the service, with these properties; returns once it reports ready. */
    public static ServiceProcess start(String name, Map<String, String> properties, Path jar) throws Exception {
        return start(name, properties, Map.of(), jar);
    }

    /**
     * Starts the jar with these properties and, as an orchestrator passes settings, these environment variables;
     * returns once it reports ready.
     */
    public static ServiceProcess start(String name, Map<String, String> properties, Map<String, String> environment)
            throws Exception {
        return start(name, properties, environment, JAR);
    }

    /**
     * Starts the jar with these properties and environment variables; returns once its readiness check answers, ready
     * or not: for a service that must stay not ready.
     */
    public static ServiceProcess startAnswering(String name, Map<String, String> properties,
            Map<String, String> environment) throws Exception {
        return start(name, properties, environment, JAR, status -> status == 200 || status == 503);
    }

    private static ServiceProcess start(String name, Map<String, String> properties, Map<String, String> environment,
            Path jar) throws Exception {
        return start(name, properties, environment, jar, status -> status == 200);
    }

    private static ServiceProcess start(String name, Map<String, String> properties, Map<String, String> environment,
            Path jar, IntPredicate awaitedStatus) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-Dquarkus.http.port=" + port);
        command.add("-jar");
        command.add(jar.toString());
        Path log = Path.of("target", name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        ServiceProcess service = new ServiceProcess(name, process, log, port);
        service.awaitReadiness(URI.create("http://localhost:" + port + "/q/health/ready"), awaitedStatus);
        return service;
    }

    /**
     * Starts the jar with these environment variables, as an orchestrator passes settings, and waits for it to exit on
     * its own: for a start that must fail. Returns the exit code and the log.
     */
    public static Exit runUntilExit(String name, Map<String, String> environment, Duration timeout) throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-Dquarkus.http.port=" + freePort(), "-jar", JAR.toString());
        Path log = Path.of("target", name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("Service " + name + " still running after " + timeout + ":\n"
                    + Files.readString(log));
        }
        return new Exit(process.exitValue(), Files.readString(log));
    }

    /** How a service that ran to its end exited. */
    public record Exit(int code, String log) {
    }

    private void awaitReadiness(URI readiness, IntPredicate awaitedStatus) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Service " + name + " exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (awaitedStatus.test(http.send(HttpRequest.newBuilder(readiness).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode())) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        process.destroyForcibly();
        throw new IllegalStateException("Service " + name + " not ready within " + START_TIMEOUT + ":\n" + log());
    }

    /** The process id, which the service's instance name holds. */
    public long pid() {
        return process.pid();
    }

    /** The HTTP port the service listens on (health, metrics, {@code /reindex}). */
    public int port() {
        return port;
    }

    /** {@code http://localhost:PORT}, to resolve paths such as {@code /q/health/live} against. */
    public URI baseUri() {
        return URI.create("http://localhost:" + port);
    }

    /** SIGKILL: the JVM gets no chance to clean anything up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: the graceful shutdown an orchestrator asks for; returns the exit code. */
    public int stop() throws InterruptedException {
        requestStop();
        return process.waitFor();
    }

    /** SIGTERM without waiting for the process to end: {@link #stop()} waits. */
    public void requestStop() {
        process.destroy();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
