package dev.anyclaude.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Claude Code workload for the L1 benchmark: stages run one after another; the lanes of a stage run at the
 * same time, each sending its requests one after another (as one agent does). Every request is built from the
 * recorded session with Claude Code 2.1.197's shapes ({@link AgentReplaySession}): per-session billing digits,
 * session ids and first prompts, the title request, Explore-style sub-agents.
 *
 * @param name short name used on the command line and in the report
 * @param description one line for the report
 * @param stages what runs, in order
 */
record L1Workload(String name, String description, List<List<List<AgentReplayRequest>>> stages) {

    /** The workloads' names, in report order. */
    static final List<String> NAMES = List.of("long", "sessions", "parallel", "subagents", "short-runs");

    L1Workload {
        stages = List.copyOf(stages);
    }

    /** How many requests the workload sends. */
    int requests() {
        int n = 0;
        for (List<List<AgentReplayRequest>> stage : stages) {
            for (List<AgentReplayRequest> lane : stage) {
                n += lane.size();
            }
        }
        return n;
    }

    /** Prompts users start sessions with: each session differs from the others in its first user message. */
    private static final List<String> PROMPTS = List.of(
            "Show me the git status of this repo, then read README.md",
            "The divide test fails. Find out why and fix calc.py.",
            "Add a multiply function to calc.py, with a test.",
            "Explain what this project does and how it is tested.",
            "Rename subtract to minus everywhere, and keep the tests passing.",
            "Is there any input that makes divide crash? Check and report.",
            "Write a short CONTRIBUTING.md for this repository.",
            "Run the tests and summarize the failures.",
            "Add type hints to every function in calc.py.",
            "Find dead code in this repository.",
            "Make divide return a float even for integers, with a test.",
            "Set up a pre-commit hook that runs the tests.",
            "Review the last commit and suggest improvements.",
            "Add a power function and document it in README.md.",
            "Why does the README say this is a demo? Look at the history.",
            "Add input validation to add and subtract.",
            "List every TODO in the code base.",
            "Make the test suite run in verbose mode by default.",
            "Add a modulo function with edge-case tests.",
            "Check the project for Python 3.8 compatibility.");

    /** The workloads, built from {@code base} (a session loaded with per-session billing). */
    static List<L1Workload> all(AgentReplaySession base, Sizes sizes) {
        return List.of(
                longSession(base, sizes),
                sessions(base, sizes),
                parallel(base, sizes),
                subagents(base, sizes),
                shortRuns(base, sizes));
    }

    /** Turn counts; the defaults are the workloads. */
    record Sizes(int longTurns, int sessions, int sessionTurns, int subTurns, int shortRuns) {
        static Sizes defaults() {
            return new Sizes(20, 3, 6, 3, 20);
        }
    }

    /** Session {@code i} of a workload: its own id, billing digits and first prompt. */
    private static AgentReplaySession session(AgentReplaySession base, String workload, int i) {
        String id =
                String.format(Locale.ROOT, "00000000-0000-4000-8000-%012x", (long) workload.hashCode() & 0xffffffffL)
                        + i;
        String hex = String.format(Locale.ROOT, "%03x", (0x3a1 + 0x17b * i + workload.length() * 0x61) & 0xfff);
        return base.forSession(id.substring(0, 36), hex, PROMPTS.get(i % PROMPTS.size()));
    }

    /** One long session: the main agent alone for many turns. */
    static L1Workload longSession(AgentReplaySession base, Sizes s) {
        AgentReplaySession one = session(base, "long", 0);
        return new L1Workload(
                "long",
                "one session, " + s.longTurns() + " main-agent turns",
                List.of(List.of(one.mainAgent(s.longTurns()))));
    }

    /**
     * Several sessions one after another, each a title request, then main-agent turns with a sub-agent's turns
     * interleaved (main, sub, main, sub, ...), as Claude Code runs an Explore agent between its own tool calls.
     */
    static L1Workload sessions(AgentReplaySession base, Sizes s) {
        List<List<List<AgentReplayRequest>>> stages = new ArrayList<>();
        for (int i = 0; i < s.sessions(); i++) {
            AgentReplaySession one = session(base, "sessions", i);
            List<AgentReplayRequest> lane = new ArrayList<>();
            lane.add(one.titleRequest());
            lane.addAll(AgentReplaySession.interleave(one.mainAgent(s.sessionTurns()), one.subAgent(s.subTurns())));
            stages.add(List.of(lane));
        }
        return new L1Workload(
                "sessions",
                s.sessions() + " sessions one after another, each a title request and " + s.sessionTurns()
                        + " main-agent turns with " + s.subTurns() + " sub-agent turns interleaved",
                stages);
    }

    /** Two sessions at once, each a title request and main-agent turns. */
    static L1Workload parallel(AgentReplaySession base, Sizes s) {
        List<List<AgentReplayRequest>> lanes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            AgentReplaySession one = session(base, "parallel", i);
            List<AgentReplayRequest> lane = new ArrayList<>();
            lane.add(one.titleRequest());
            lane.addAll(one.mainAgent(s.sessionTurns()));
            lanes.add(lane);
        }
        return new L1Workload(
                "parallel",
                "two sessions at once, each a title request and " + s.sessionTurns() + " main-agent turns",
                List.of(lanes));
    }

    /**
     * A main agent that starts two sub-agents which run at the same time (two Explore agents with different
     * tasks), then continues.
     */
    static L1Workload subagents(AgentReplaySession base, Sizes s) {
        AgentReplaySession one = session(base, "subagents", 0);
        List<AgentReplayRequest> main = one.mainAgent(s.sessionTurns());
        int before = Math.max(1, main.size() / 2);
        List<List<List<AgentReplayRequest>>> stages = new ArrayList<>();
        stages.add(List.of(main.subList(0, before)));
        stages.add(List.of(one.subAgent(s.subTurns() + 1, 0), one.subAgent(s.subTurns() + 1, 1)));
        stages.add(List.of(main.subList(before, main.size())));
        return new L1Workload(
                "subagents",
                "a main agent of " + s.sessionTurns() + " turns that runs two sub-agents of " + (s.subTurns() + 1)
                        + " turns at the same time, halfway",
                stages);
    }

    /** Many short {@code claude -p} runs: each a new session of two turns (the prompt, one tool call's result). */
    static L1Workload shortRuns(AgentReplaySession base, Sizes s) {
        List<List<List<AgentReplayRequest>>> stages = new ArrayList<>();
        for (int i = 0; i < s.shortRuns(); i++) {
            stages.add(List.of(session(base, "short", i).mainAgent(2)));
        }
        return new L1Workload(
                "short-runs", s.shortRuns() + " claude -p runs one after another, two turns each", stages);
    }
}
