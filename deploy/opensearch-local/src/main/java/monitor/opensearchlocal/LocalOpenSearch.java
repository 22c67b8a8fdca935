package monitor.opensearchlocal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Runs a single-node OpenSearch bound to 127.0.0.1 in this JVM, until SIGTERM or until the watched process ends.
 *
 * Settings come from the environment: OPENSEARCH_PORT (HTTP, default 9250), OPENSEARCH_HOME (node home,
 * default .cache/opensearch-local), OPENSEARCH_DATA (default $OPENSEARCH_HOME/data) and OPENSEARCH_WATCH_PID
 * (optional: stop when that process is gone, so a crashed test session leaves no engine behind).
 */
public final class LocalOpenSearch {

    private LocalOpenSearch() {
    }

    public static void main(final String[] args) throws Exception {
        final int port = Integer.parseInt(env("OPENSEARCH_PORT", "9250"));
        final Path home = Path.of(env("OPENSEARCH_HOME", ".cache/opensearch-local")).toAbsolutePath();
        final Path data = Path.of(env("OPENSEARCH_DATA", home.resolve("data").toString())).toAbsolutePath();
        Files.createDirectories(data);

        final OpenSearchRunner runner = new OpenSearchRunner();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final Exception e) {
                System.err.println("closing OpenSearch failed: " + e);
            }
        }, "opensearch-local-shutdown"));

        // The runner's own port search stops at 9299; the port here is the one asked for, or fail.
        runner.setMaxHttpPort(-1);
        runner.onBuild((number, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", String.valueOf(port));
            settings.put("path.data", data.toString());
            // A nearly full disk on a dev machine must not turn test indices read-only.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
        }).build(OpenSearchRunner.newConfigs()
                .basePath(home.toString())
                .clusterName("monitor-local")
                .numOfNode(1)
                .baseHttpPort(port - 1));
        runner.ensureYellow();
        System.out.println("OpenSearch ready on http://127.0.0.1:" + port);

        final String watchPid = env("OPENSEARCH_WATCH_PID", "");
        final Optional<ProcessHandle> watched = watchPid.isEmpty() ? Optional.empty()
                : ProcessHandle.of(Long.parseLong(watchPid.trim()));
        if (!watchPid.isEmpty() && watched.isEmpty()) {
            System.out.println("watched process " + watchPid + " is already gone; stopping");
            System.exit(0);
        }
        while (!runner.isClosed()) {
            if (watched.isPresent() && !watched.get().isAlive()) {
                System.out.println("watched process " + watched.get().pid() + " ended; stopping");
                System.exit(0);
            }
            Thread.sleep(1000);
        }
    }

    private static String env(final String name, final String fallback) {
        final String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
