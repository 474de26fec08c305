package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Strings are written as their UTF-16 length and each unit in UTF-8's 1-, 2- or 3-byte form, however long. */
class BinaryWriterPropertiesTest {

    @Property(tries = 1000)
    void everyStringIsWrittenUnitByUnitWhateverPathWritesIt(@ForAll("texts") String s) {
        BinaryWriter w = new BinaryWriter(16);
        w.string(s);
        assertThat(w.toByteArray()).isEqualTo(expected(s));
    }

    @Provide
    Arbitrary<String> texts() {
        // mostly ASCII with '?' and, now and then, a character that is not: 2- and 3-byte units, surrogate
        // pairs and lone surrogates; lengths on both sides of the bulk path's threshold
        Arbitrary<Character> ascii = Arbitraries.chars().range(' ', '~');
        Arbitrary<Character> question = Arbitraries.just('?');
        Arbitrary<Character> other = Arbitraries.of('é', 'ß', '€', '中', '\uD83D', '\uDE00', '\u0000', '\u07FF');
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(40, ascii),
                        net.jqwik.api.Tuple.of(3, question),
                        net.jqwik.api.Tuple.of(1, other))
                .list()
                .ofMinSize(0)
                .ofMaxSize(300)
                .map(cs -> {
                    StringBuilder sb = new StringBuilder(cs.size());
                    cs.forEach(sb::append);
                    return sb.toString();
                });
    }

    /** The format, written out independently: varint length, then each UTF-16 unit. */
    private static byte[] expected(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long v = s.length();
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        for (char c : s.toCharArray()) {
            if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | (c >> 6));
                out.write(0x80 | (c & 0x3F));
            } else {
                out.write(0xE0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            }
        }
        return out.toByteArray();
    }
}
