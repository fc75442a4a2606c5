package io.companies.reindexer.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;

/**
 * Bearer tokens from the issuer the tests trust: signed with the throwaway key pair of {@code src/test/resources/jwt},
 * whose public half the service is configured with ({@code %test.mp.jwt.verify.*}, or {@link #verification()} for the
 * packaged service). The key is read from the test classpath, so that the packaged tests, which run outside Quarkus,
 * sign the same way.
 */
public final class Tokens {

    public static final String ISSUER = "https://issuer.reindexer.test";
    public static final String ADMIN_NAME = "ops-admin@companies.io";

    private static final String PUBLIC_KEY = "/jwt/public-key.pem";
    private static final PrivateKey SIGNING_KEY = signingKey();

    private Tokens() {
    }

    public static String admin() {
        return sign(claims(ADMIN_NAME, ReindexResource.ADMIN));
    }

    public static String viewer() {
        return sign(claims("ops-viewer@companies.io", ReindexResource.VIEWER));
    }

    /** Claims of a valid token for {@code upn} (also its {@code sub}) with these groups, valid for 5 minutes. */
    public static JwtClaimsBuilder claims(String upn, String... groups) {
        return Jwt.issuer(ISSUER).upn(upn).subject(upn).groups(Set.of(groups)).expiresIn(Duration.ofMinutes(5));
    }

    public static String sign(JwtClaimsBuilder claims) {
        return claims.sign(SIGNING_KEY);
    }

    /** What a service needs to trust these tokens: the public key's location and the issuer. */
    public static Map<String, String> verification() {
        return Map.of("mp.jwt.verify.publickey.location", Tokens.class.getResource(PUBLIC_KEY).toString(),
                "mp.jwt.verify.issuer", ISSUER);
    }

    private static PrivateKey signingKey() {
        try (InputStream pem = Tokens.class.getResourceAsStream("/jwt/private-key.pem")) {
            return KeyUtils.decodePrivateKey(new String(pem.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The test signing key is not an RSA private key", e);
        }
    }
}
