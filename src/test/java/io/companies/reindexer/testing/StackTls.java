package io.companies.reindexer.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;

import javax.net.ServerSocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The local stack's TLS (dev/stack.sh makes it at every {@code up}): its private CA, the certificate for localhost
 * that Kafka's TLS listener and PostgreSQL present, and where that listener is. The README test command passes where
 * they are ({@code it.tls.dir}, {@code it.kafka.tls.bootstrap.servers}); the defaults are the stack's.
 */
public final class StackTls {

    /** The password of the stack's PKCS12 files. */
    public static final String PASSWORD = "changeit";

    private final Path dir = Path.of(System.getProperty("it.tls.dir", ".stack/tls"));
    private final String kafkaBootstrapServers = System.getProperty("it.kafka.tls.bootstrap.servers",
            "localhost:9094");

    /** The private CA's certificate (PEM). */
    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** The private CA in a PKCS12 trust store ({@link #PASSWORD}). */
    public Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    /** Kafka's TLS listener, beside the plaintext one the other tests use. */
    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    /** Server sockets that present the stack's certificate for localhost: a TLS-terminating proxy listens on them. */
    public ServerSocketFactory serverSockets() throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context.getServerSocketFactory();
    }

    /**
     * A real CA that did not sign the stack's certificate, written as PEM to {@code file}: one the JVM trusts by
     * default, which is what a client trusts when nobody gave it the private CA.
     */
    public static Path someOtherCa(Path file) throws IOException, GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init((KeyStore) null);
        for (var manager : trust.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509 && x509.getAcceptedIssuers().length > 0) {
                X509Certificate ca = x509.getAcceptedIssuers()[0];
                String pem = "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(ca.getEncoded())
                        + "\n-----END CERTIFICATE-----\n";
                return Files.writeString(file, pem);
            }
        }
        throw new IllegalStateException("The JVM trusts no CA at all");
    }
}
