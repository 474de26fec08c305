package dev.anyclaude.safeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class VerdictTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsBothOutcomesWithTheirExplanation() throws Exception {
        assertThat(Verdict.parse("{\"outcome\":\"not_flagged\",\"explanation\":\"runs the tests\"}", JSON))
                .isEqualTo(new Verdict(false, "runs the tests"));
        assertThat(Verdict.parse("{\"outcome\": \"flagged\", \"explanation\": \"deletes $HOME\"}", JSON))
                .isEqualTo(new Verdict(true, "deletes $HOME"));
        assertThat(Verdict.parse("{\"outcome\":\"flagged\",\"explanation\":\"\"}", JSON)
                        .explanation())
                .isNotBlank();
    }

    @Test
    void toleratesTextAroundTheObjectFromServersWithoutAJsonMode() throws Exception {
        assertThat(Verdict.parse("Sure.\n```json\n{\"outcome\":\"not_flagged\",\"explanation\":\"ok\"}\n```", JSON)
                        .flagged())
                .isFalse();
    }

    @Test
    void anythingElseIsNoVerdict() {
        for (String answer : new String[] {
            "", "yes, that is fine", "{\"outcome\":\"maybe\"}", "{\"verdict\":\"ok\"}", "{\"outcome\":\"not_flagged\""
        }) {
            assertThatThrownBy(() -> Verdict.parse(answer, JSON))
                    .as(answer)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("classifier");
        }
    }

    @Test
    void anUnjudgedCallIsBlockedAndSaysWhy() {
        Verdict v = Verdict.unjudged("connection refused");
        assertThat(v.flagged()).isTrue();
        assertThat(v.explanation())
                .contains("could not judge")
                .contains("connection refused")
                .contains("blocked");
    }
}
