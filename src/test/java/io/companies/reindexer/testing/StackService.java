package io.companies.reindexer.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One service of the test stack ({@code postgres}, {@code kafka}, ...), stopped and started again through the project's
 * own {@code dev/stack.sh down <name>} and {@code dev/stack.sh up <name>}, which act only on the processes the stack
 * started (by the PID files under {@code STACK_DIR}) and return once the service is gone, or ready again. The script
 * inherits this JVM's environment, so it finds the same stack the tests talk to ({@code STACK_DIR}, {@code PG_PORT},
 * {@code KAFKA_PORT}, ...); its output is appended to {@code target/<name>-stack.log}.
 *
 * <p>
 * Before it stops anything, it checks that the stack the script controls runs this service on the port the tests
 * use: a test run without the stack's environment must not stop (or start) another stack.
 */
public final class StackService {

    private static final Path SCRIPT = Path.of("dev/stack.sh");
    // `up kafka` waits for the broker to answer metadata requests (up to 120 s in the script), `down` up to 30 s and
    // then a KILL.
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    private final String name;
    private final String port; // as the status line shows it: one port, or a range for the cluster
    private final Path log;

    private StackService(String name, String port) {
        this.name = name;
        this.port = port;
        this.log = Path.of("target", name + "-stack.log");
    }

    /** PostgreSQL of the stack, which the tests reach on {@code port}. */
    public static StackService postgres(int port) {
        return new StackService("postgres", String.valueOf(port));
    }

    /** Kafka of the stack, which the tests reach on {@code port}. */
    public static StackService kafka(int port) {
        return new StackService("kafka", String.valueOf(port));
    }

    /** The three-node OpenSearch cluster of the stack, whose first node the tests reach on {@code port}. */
    public static StackService openSearchCluster(int port) {
        return new StackService("opensearch-cluster", port + "-" + (port + 2));
    }

    public String name() {
        return name;
    }

    /** {@code dev/stack.sh down <name>}: returns once the stack's process has exited. */
    public void stop() throws IOException, InterruptedException {
        requireOurs();
        run("down");
        if (isUp()) {
            throw new IllegalStateException(name + " still answers after dev/stack.sh down " + name + "; see " + log);
        }
    }

    /**
     * SIGKILL to one process of this service, by the PID file the stack keeps for it ({@code opensearch-cluster-2}
     * is node 2 of the cluster): it gets no chance to write anything out. Returns once it has exited; {@link #start()}
     * starts it again, alone.
     */
    public void kill(String process)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        requireOurs();
        Path stack = Path.of(System.getenv().getOrDefault("STACK_DIR", ".stack")).toAbsolutePath().normalize();
        long pid = Long.parseLong(Files.readString(stack.resolve("run").resolve(process + ".pid")).strip());
        ProcessHandle handle = ProcessHandle.of(pid)
                .filter(alive -> alive.info().commandLine().orElse("").contains(stack + "/"))
                .orElseThrow(() -> new IllegalStateException("No process " + process + " of the stack in " + stack));
        handle.destroyForcibly();
        handle.onExit().get(30, TimeUnit.SECONDS);
    }

    /** {@code dev/stack.sh up <name>}: returns once the service is ready again. */
    public void start() throws IOException, InterruptedException {
        run("up");
        requireOurs();
    }

    /** Starts the service unless it is up: what a test calls in {@code finally}, so a failure leaves the stack up. */
    public void ensureUp() throws IOException, InterruptedException {
        if (!isUp()) {
            start();
        }
    }

    /** Whether {@code dev/stack.sh status <name>} reports the service running and answering on the tests' port. */
    public boolean isUp() throws IOException, InterruptedException {
        String status = status();
        return status.contains(" " + port + " ") && status.stripTrailing().endsWith(" up");
    }

    private void requireOurs() throws IOException, InterruptedException {
        if (!isUp()) {
            throw new IllegalStateException("dev/stack.sh (STACK_DIR=" + System.getenv("STACK_DIR") + ") does not run "
                    + name + " on port " + port + ", the port the tests use: export the stack's environment"
                    + " (STACK_DIR and the port variables) before running the tests. Status: " + status());
        }
    }

    /** The status line of this service, e.g. {@code postgres 1234 5435 up}. */
    private String status() throws IOException, InterruptedException {
        Path out = Files.createTempFile("stack-status-", ".txt");
        try {
            Process process = new ProcessBuilder(List.of("bash", SCRIPT.toString(), "status", name))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("dev/stack.sh status " + name + " did not answer within 30 s");
            }
            return Files.readAllLines(out).stream().filter(line -> line.startsWith(name + " ")).findFirst()
                    .orElse("(no status line for " + name + ")").replaceAll("\\s+", " ");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private void run(String command) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Files.writeString(log, "\n==== dev/stack.sh " + command + " " + name + " at " + Instant.now() + " ====\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        File logFile = log.toFile();
        Process process = new ProcessBuilder(List.of("bash", SCRIPT.toString(), command, name))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile)).start();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("dev/stack.sh " + command + " " + name + " did not finish within "
                    + TIMEOUT + "; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("dev/stack.sh " + command + " " + name + " exited with "
                    + process.exitValue() + "; see " + log + ":\n" + tail());
        }
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
