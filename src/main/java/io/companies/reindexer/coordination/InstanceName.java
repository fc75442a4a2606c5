package io.companies.reindexer.coordination;

import java.io.IOException;
import java.net.InetAddress;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * This process among the service's instances: its host (the pod name on Kubernetes), pid and a random part, made when
 * the process starts (never at build time), so that a restarted pod is a new instance.
 */
@ApplicationScoped
class InstanceName {

    private final String name = host() + "/" + ProcessHandle.current().pid() + "/"
            + UUID.randomUUID().toString().substring(0, 8);

    String get() {
        return name;
    }

    private static String host() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
