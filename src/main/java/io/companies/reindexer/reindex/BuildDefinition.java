package io.companies.reindexer.reindex;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.index.IndexDefinition;
import io.companies.reindexer.source.CompanySource;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What this build of the service makes of the source: the new index's settings, mappings and analysis, and how
 * documents are built (the document mapper's version and the code lists), with a fingerprint of them all. A run
 * records the fingerprint of the build that started it, and only instances of that build load its slices, so one
 * index never mixes documents of two builds during a rolling deploy.
 */
@ApplicationScoped
public class BuildDefinition {

    @Inject
    ReindexConfig config;

    @Inject
    CompanySource source;

    @Inject
    ObjectMapper json;

    private IndexDefinition index;
    private String fingerprint;

    @PostConstruct
    void init() {
        index = new IndexDefinition(json, config.index().shards(), config.index().replicas(),
                config.index().analyzer());
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(index.forLoading().toString().getBytes(StandardCharsets.UTF_8));
            sha256.update(source.documentDefinition().getBytes(StandardCharsets.UTF_8));
            fingerprint = HexFormat.of().formatHex(sha256.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public IndexDefinition index() {
        return index;
    }

    /** 32 hex digits that change whenever the index definition, the document mapper or a code list does. */
    public String fingerprint() {
        return fingerprint;
    }
}
