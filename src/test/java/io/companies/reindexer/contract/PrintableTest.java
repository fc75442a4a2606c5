package io.companies.reindexer.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void escapesControlCharactersBidirectionalOverridesAndUnpairedSurrogates() {
        assertThat(Printable.escape("x\r\nERROR forged log line")).isEqualTo("x\\u000d\\u000aERROR forged log line");
        assertThat(Printable.escape("a\u0000b\u007fc\u0085")).isEqualTo("a\\u0000b\\u007fc\\u0085");
        assertThat(Printable.escape("admin\u202Etxt.exe")).isEqualTo("admin\\u202etxt.exe");
        assertThat(Printable.escape("lone \ud800 and \udc00")).isEqualTo("lone \\ud800 and \\udc00");
    }

    @Test
    void leavesPrintableTextAsItIs() {
        String text = "Zoë, 東京 and \ud83d\ude00 (a pair) – ops-console";
        assertThat(Printable.escape(text)).isSameAs(text);
        assertThat(Printable.escape(null)).isNull();
    }

    @Test
    void findsWhatRequestedByMayNotHold() {
        assertThat(Printable.hasControlOrUnpairedSurrogate("ops-console \ud83d\ude00")).isFalse();
        assertThat(Printable.hasControlOrUnpairedSurrogate("tab\there")).isTrue();
        assertThat(Printable.hasControlOrUnpairedSurrogate("del\u007f")).isTrue();
        assertThat(Printable.hasControlOrUnpairedSurrogate("\ud800")).isTrue();
        assertThat(Printable.hasControlOrUnpairedSurrogate("\ude00x")).isTrue();
        assertThat(Printable.hasControlOrUnpairedSurrogate("bidi \u202E override")).isFalse();
    }
}
