package io.companies.reindexer.reindex;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.index.DefinitionStamp;
import io.companies.reindexer.index.IndexDefinition;
import io.companies.reindexer.source.CompanySource;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What this build of the service makes of the source: the new index's settings, mappings and analysis, and how
 * documents are built (the document mapper's version and the code lists), with a fingerprint of them all. A run
 * records the fingerprint of the build that started it, and only instances of that build load its slices, so one
 * index never mixes documents of two builds during a rolling deploy. Each index a run creates records the fingerprint
 * and {@code reindex.definition-version} in its {@code _meta} ({@link DefinitionStamp}).
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
    private DefinitionStamp stamp;

    @PostConstruct
    void init() {
        index = new IndexDefinition(json, config.index().shards(), config.index().replicas(),
                config.index().analyzer());
        stamp = new DefinitionStamp(fingerprint(index, source.documentDefinition()), config.definitionVersion());
    }

    /** The first 32 hex digits of the SHA-256 of the create-index body (without {@code _meta}) and the documents'. */
    static String fingerprint(IndexDefinition index, String documentDefinition) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(index.forLoading().toString().getBytes(StandardCharsets.UTF_8));
            sha256.update(documentDefinition.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha256.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public IndexDefinition index() {
        return index;
    }

    /** 32 hex digits that change whenever the index definition, the document mapper or a code list does. */
    public String fingerprint() {
        return stamp.fingerprint();
    }

    /** The fingerprint and the definition's version, as every index this build creates records them. */
    public DefinitionStamp stamp() {
        return stamp;
    }
}
