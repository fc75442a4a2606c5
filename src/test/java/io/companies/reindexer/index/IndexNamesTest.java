package io.companies.reindexer.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class IndexNamesTest {

    private final IndexNames names = new IndexNames("companies-");

    @Test
    void namesArePrefixAnd32RandomLowercaseLettersAndDigits() {
        Set<String> drawn = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String name = names.next();
            assertThat(name).matches("companies-[a-z0-9]{32}");
            assertThat(names.isOurs(name)).isTrue();
            drawn.add(name);
        }
        assertThat(drawn).hasSize(1000);
    }

    @Test
    void onlyNamesOfTheExactShapeAreOurs() {
        assertThat(names.isOurs("companies")).isFalse();
        assertThat(names.isOurs("companies-legacy")).isFalse();
        assertThat(names.isOurs("companies-" + "A".repeat(32))).isFalse();
        assertThat(names.isOurs("companies-" + "a".repeat(33))).isFalse();
        assertThat(names.isOurs("other-" + "a".repeat(32))).isFalse();
        assertThat(names.wildcard()).isEqualTo("companies-*");
    }
}
