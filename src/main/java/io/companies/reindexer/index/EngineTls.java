package io.companies.reindexer.index;

import javax.net.ssl.SSLContext;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.elasticsearch.restclient.lowlevel.ElasticsearchClientConfig;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;

import org.apache.http.impl.nio.client.HttpAsyncClientBuilder;
import org.elasticsearch.client.RestClientBuilder;

/**
 * The engine's TLS from the Quarkus TLS registry: the low-level REST client has no TLS configuration name of its own
 * (Quarkus 3.34), so the registry's configuration named {@value #NAME} ({@code quarkus.tls.engine.*}), when there is
 * one, gives the client its SSL context: the private CA to trust and, for mutual TLS, the client's key. Without it the
 * client trusts what the JVM trusts. The host name is verified either way.
 */
@ElasticsearchClientConfig
@ApplicationScoped
public class EngineTls implements RestClientBuilder.HttpClientConfigCallback {

    static final String NAME = "engine";

    @Inject
    TlsConfigurationRegistry registry;

    @Override
    public HttpAsyncClientBuilder customizeHttpClient(HttpAsyncClientBuilder builder) {
        registry.get(NAME).ifPresent(tls -> builder.setSSLContext(sslContext(tls)));
        return builder;
    }

    private static SSLContext sslContext(TlsConfiguration tls) {
        try {
            return tls.createSSLContext();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot make the engine's SSL context from quarkus.tls." + NAME, e);
        }
    }
}
