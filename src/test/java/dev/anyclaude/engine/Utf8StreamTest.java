package dev.anyclaude.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8StreamTest {

    @Test
    void joinsACharacterSplitAcrossPieces() {
        byte[] euro = "\u20ac!".getBytes(StandardCharsets.UTF_8);
        Utf8Stream s = new Utf8Stream();
        assertThat(s.accept(new byte[] {euro[0]})).isEmpty();
        assertThat(s.accept(new byte[] {euro[1]})).isEmpty();
        assertThat(s.accept(new byte[] {euro[2], euro[3]})).isEqualTo("\u20ac!");
    }

    @Test
    void replacesMalformedAndUnfinishedBytes() {
        Utf8Stream s = new Utf8Stream();
        assertThat(s.accept(new byte[] {'a', (byte) 0xff, 'b'})).isEqualTo("a\ufffdb");
        assertThat(s.accept(new byte[] {(byte) 0xe2, (byte) 0x82})).isEmpty();
        assertThat(s.finish()).isEqualTo("\ufffd");
    }
}
