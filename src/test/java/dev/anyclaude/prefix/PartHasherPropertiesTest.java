package dev.anyclaude.prefix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** A part's fingerprint depends on its characters only, not on how they were handed to the hasher. */
class PartHasherPropertiesTest {

    @Property(tries = 300)
    void splittingTheTextAnywhereGivesTheSameChunksAndHash(
            @ForAll @Size(max = 6) List<@StringLength(max = 300) String> pieces,
            @ForAll @IntRange(min = 0, max = 2) int mode) {
        PromptShape.PartHasher whole = new PromptShape.PartHasher();
        whole.add(String.join("", pieces));
        PromptShape.PartHasher split = new PromptShape.PartHasher();
        for (String p : pieces) {
            if (mode == 0) {
                split.add(p);
            } else {
                for (int i = 0; i < p.length(); i++) {
                    split.add(p.charAt(i));
                }
            }
        }
        PromptShape.Part a = whole.finish("x");
        PromptShape.Part b = split.finish("x");
        assertThat(b.length()).isEqualTo(a.length());
        assertThat(b.chunks()).containsExactly(a.chunks());
        assertThat(b.hash()).isEqualTo(a.hash());
    }

    @Property(tries = 500)
    void changingOrSwappingAnyCharacterOfAChunkChangesItsHash(
            @ForAll @StringLength(min = 2, max = 64) String text, @ForAll @IntRange(min = 0, max = 63) int at) {
        char[] c = text.toCharArray();
        int i = at % c.length;
        long before = PromptShape.PartHasher.hash(c, c.length);
        char[] changed = c.clone();
        changed[i] = (char) (changed[i] + 1);
        assertThat(PromptShape.PartHasher.hash(changed, c.length)).isNotEqualTo(before);
        int k = (i + 1) % c.length;
        if (c[i] != c[k]) {
            char[] swapped = c.clone();
            swapped[i] = c[k];
            swapped[k] = c[i];
            assertThat(PromptShape.PartHasher.hash(swapped, c.length)).isNotEqualTo(before);
        }
    }
}
