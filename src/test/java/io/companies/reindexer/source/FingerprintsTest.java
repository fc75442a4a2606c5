package io.companies.reindexer.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class FingerprintsTest {

    private static final OffsetDateTime MODIFIED = OffsetDateTime.of(2026, 11, 25, 10, 0, 0, 123_456_000,
            ZoneOffset.UTC);

    @Test
    void aCopyWithoutSomeCompaniesKeepsTheOthersInOrder() throws IOException {
        try (Fingerprints fingerprints = new Fingerprints()) {
            for (int id = 1; id <= 5; id++) {
                fingerprints.add(id, Fingerprints.of(id, MODIFIED));
            }
            try (Fingerprints kept = fingerprints.without(Set.of(2, 5, 9))) {
                List<Integer> ids = new ArrayList<>();
                for (Fingerprints.Cursor cursor = kept.cursor(); !cursor.exhausted(); cursor.advance()) {
                    assertThat(cursor.print()).isEqualTo(Fingerprints.of(cursor.id(), MODIFIED));
                    ids.add(cursor.id());
                }
                assertThat(ids).containsExactly(1, 3, 4);
                assertThat(kept.size()).isEqualTo(3);
            }
            assertThat(fingerprints.size()).isEqualTo(5);
        }
    }

    @Test
    void readsBackEveryCompanyInTheOrderItWasAdded() throws IOException {
        try (Fingerprints fingerprints = new Fingerprints()) {
            // More than one buffer's worth, so the file is really written and read back.
            for (int id = 1; id <= 20_000; id++) {
                fingerprints.add(id * 3, Fingerprints.of(id * 3, MODIFIED));
            }
            List<Integer> ids = new ArrayList<>();
            Fingerprints.Cursor cursor = fingerprints.cursor();
            for (; !cursor.exhausted(); cursor.advance()) {
                assertThat(cursor.print()).isEqualTo(Fingerprints.of(cursor.id(), MODIFIED));
                ids.add(cursor.id());
            }
            assertThat(fingerprints.size()).isEqualTo(20_000);
            assertThat(ids).hasSize(20_000).startsWith(3, 6, 9).endsWith(60_000).isSorted();
        }
    }

    @Test
    void anEmptySetHasACursorThatIsExhaustedAtOnce() throws IOException {
        try (Fingerprints fingerprints = new Fingerprints()) {
            assertThat(fingerprints.cursor().exhausted()).isTrue();
        }
    }

    @Test
    void refusesIdsOutOfOrderAndAdditionsOnceReadingStarted() throws IOException {
        try (Fingerprints fingerprints = new Fingerprints()) {
            fingerprints.add(5, 1L);
            assertThatThrownBy(() -> fingerprints.add(5, 2L)).hasMessageContaining("Company 5 added after company 5");
            fingerprints.cursor();
            assertThatThrownBy(() -> fingerprints.add(6, 3L)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void theirBytesCarryEveryCompanyInOrderAndReadBackIntoTheSameSet() throws IOException {
        try (Fingerprints original = new Fingerprints(); Fingerprints copy = new Fingerprints()) {
            for (int id = 1; id <= 2_500; id++) {
                original.add(id * 3, Fingerprints.of(id, MODIFIED));
            }
            byte[] bytes = original.toBytes();
            copy.addAll(bytes);

            assertThat(bytes).hasSize(30_000);
            assertThat(copy.size()).isEqualTo(2_500);
            Fingerprints.Cursor a = original.cursor();
            Fingerprints.Cursor b = copy.cursor();
            for (; !a.exhausted(); a.advance(), b.advance()) {
                assertThat(b.exhausted()).isFalse();
                assertThat(b.id()).isEqualTo(a.id());
                assertThat(b.print()).isEqualTo(a.print());
            }
            assertThat(b.exhausted()).isTrue();
        }
    }

    @Test
    void aReplacedSetHoldsWhatTheNewerHeldAndClosesOnce() throws IOException {
        try (Fingerprints known = new Fingerprints()) {
            known.add(1, 10L);
            known.add(2, 20L);
            known.cursor();
            Fingerprints newer = new Fingerprints();
            newer.add(2, 21L);
            newer.add(3, 30L);

            known.replaceWith(newer);

            assertThat(known.size()).isEqualTo(2);
            Fingerprints.Cursor cursor = known.cursor();
            assertThat(cursor.id()).isEqualTo(2);
            assertThat(cursor.print()).isEqualTo(21L);
            cursor.advance();
            assertThat(cursor.id()).isEqualTo(3);
            cursor.advance();
            assertThat(cursor.exhausted()).isTrue();
        }
    }

    @Test
    void leaveNoFileBehindEvenWhileOpen() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = fingerprintFiles(tmp);
        try (Fingerprints fingerprints = new Fingerprints()) {
            fingerprints.add(1, 1L);
            // On Linux the JDK unlinks a DELETE_ON_CLOSE file as soon as it is open: a crash cannot leave it behind.
            assertThat(fingerprintFiles(tmp)).containsExactlyInAnyOrderElementsOf(before);
            Fingerprints.Cursor cursor = fingerprints.cursor();
            assertThat(cursor.id()).isEqualTo(1);
        }
    }

    @Test
    void aChangeToTheCompanyOrAnyCaseStudyChangesTheFingerprint() {
        long company = Fingerprints.of(1, MODIFIED);
        long withCaseStudy = Fingerprints.with(company, 10, MODIFIED);
        assertThat(Fingerprints.of(1, MODIFIED.plusNanos(1_000))).isNotEqualTo(company);
        assertThat(withCaseStudy).isNotEqualTo(company);
        assertThat(Fingerprints.with(company, 11, MODIFIED)).isNotEqualTo(withCaseStudy);
        assertThat(Fingerprints.with(company, 10, MODIFIED.plusNanos(1_000))).isNotEqualTo(withCaseStudy);
    }

    private static List<Path> fingerprintFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("companies-fingerprints-")).toList();
        }
    }
}
