package dev.anyclaude.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The replay benchmark's arithmetic and its refusal of bad options (the runs themselves are in docs/replay.md). */
class AgentReplayReportTest {

    static AgentReplayTurn turn(int n, long prompt, long reused, double ms) {
        return new AgentReplayTurn("main", n, 1000, prompt, reused, prompt, reused, 0, ms * 0.9, ms, "max_tokens");
    }

    @Test
    void comparesEachTurnWithItsNoReuseTwinAndJudgesTheMedianAgainstTheTarget() {
        List<AgentReplayTurn> on = List.of(
                turn(1, 1000, 0, 9000), turn(2, 1100, 1000, 500), turn(3, 1200, 1100, 1000), turn(4, 1300, 1200, 2000));
        List<AgentReplayTurn> off = List.of(
                turn(1, 1000, 0, 9000), turn(2, 1100, 0, 10000), turn(3, 1200, 0, 10000), turn(4, 1300, 0, 10000));

        AgentReplayReport met = new AgentReplayReport();
        double median = met.onOff(on, off, 0.1);
        assertThat(median).isEqualTo(0.1);
        assertThat(met.render())
                .contains(
                        "| 1 | 1000 | 0 | 0.000 | 0.000 |",
                        "(both cold)",
                        "| 1/20.0 |",
                        "| 1/5.0 |",
                        "median ratio 1/10.0, worst turn 1/5.0; target at most 1/10: met.",
                        "lowest 0.909 (usage)");

        AgentReplayReport missed = new AgentReplayReport();
        missed.onOff(on, off, 0.05);
        assertThat(missed.render()).contains("target at most 1/20: NOT met.");
    }

    @Test
    void summarizesEachInterleavedStreamAgainstItsOwnFirstTurn() {
        List<AgentReplayTurn> turns = List.of(
                turn(1, 1000, 0, 8000),
                new AgentReplayTurn("sub", 1, 800, 800, 0, 800, 0, 1, 3000, 3000, "max_tokens"),
                turn(2, 1100, 1000, 400),
                turn(3, 1200, 1100, 600));

        AgentReplayReport r = new AgentReplayReport();
        r.interleaved(turns);
        assertThat(r.render())
                .contains(
                        "| 2 | sub | 1 | 1 | 800 | 0 | 0.000 | 0.000 |",
                        "- main: first turn 8000 ms, later turns median 500 ms "
                                + "(1/16.0 of its first), lowest reuse ratio from turn 2 on 0.909.",
                        "- sub: one turn, 3000 ms.");
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(AgentReplayReport.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(AgentReplayReport.median(List.of())).isNaN();
        assertThat(AgentReplayReport.fraction(0.25)).isEqualTo("1/4.0");
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingRuns() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AgentReplayCommand()).setErr(new PrintWriter(err));

        assertThat(cli.execute("--turns", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--turns, --threads, --timeout and --target must be positive");
        assertThat(cli.execute("--tool-result-chars", "10")).isEqualTo(2);
        assertThat(err.toString()).contains("--tool-result-chars: 10 (expected: 0 for all, or at least 40)");
    }
}
