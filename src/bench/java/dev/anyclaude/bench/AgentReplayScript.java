package dev.anyclaude.bench;

import java.util.List;

/**
 * The synthesized part of an agent replay: the tool calls and results that continue the recorded
 * Claude Code session past its real turns, and the Explore-style sub-agent that runs beside it. They
 * are written in the shapes Claude Code 2.1.197 uses (Bash {@code command} + {@code description}, Read
 * {@code file_path} with {@code N<tab>line} results, Edit {@code old_string}/{@code new_string}, a failed
 * command as {@code is_error: true} starting {@code Exit code N}) and sized like the recorded ones: tens
 * to a few hundred characters. The working folder is the capture's, {@code /home/dev/calc-project}.
 */
final class AgentReplayScript {

    /**
     * One model turn that calls a tool, and what the tool answered.
     *
     * @param text the assistant's text before its call
     * @param tool the tool's name
     * @param inputJson the call's input, a JSON object
     * @param result the tool result's content (a plain string, as Claude Code sends it)
     * @param isError the tool result's {@code is_error}: null for none (Read), else Claude Code's value
     */
    record Step(String text, String tool, String inputJson, String result, Boolean isError) {}

    private AgentReplayScript() {}

    static final String DIR = "/home/dev/calc-project";

    private static final String CALC_PY = numbered("""
            \"\"\"A tiny calculator.\"\"\"


            def add(a, b):
                return a + b


            def subtract(a, b):
                return a - b


            def divide(a, b):
                return a / b
            """);

    private static final String TEST_PY = numbered("""
            import pytest
            from calc import add, divide, subtract


            def test_add():
                assert add(2, 3) == 5


            def test_divide_by_zero():
                with pytest.raises(ValueError):
                    divide(1, 0)
            """);

    /** How the main agent continues after the recorded Bash and Read calls. */
    static final List<Step> MAIN = List.of(
            new Step(
                    "calc.py has an uncommitted change; let me look at it.",
                    "Read",
                    "{\"file_path\":\"" + DIR + "/calc.py\"}",
                    CALC_PY,
                    null),
            new Step(
                    "Let me see what changed.",
                    "Bash",
                    "{\"command\":\"git diff calc.py\",\"description\":\"Show the uncommitted change to calc.py\"}",
                    """
                    diff --git a/calc.py b/calc.py
                    index 3b18e51..8d1c2f0 100644
                    --- a/calc.py
                    +++ b/calc.py
                    @@ -9,3 +9,7 @@ def subtract(a, b):
                    +
                    +
                    +def divide(a, b):
                    +    return a / b""",
                    false),
            new Step(
                    "Checking the tests and history.",
                    "Bash",
                    "{\"command\":\"ls tests && git log --oneline "
                            + "-3\",\"description\":\"List tests and recent commits\"}",
                    "test_calc.py\n0028d2f Initial commit",
                    false),
            new Step(null, "Read", "{\"file_path\":\"" + DIR + "/tests/test_calc.py\"}", TEST_PY, null),
            new Step(
                    "Running the tests.",
                    "Bash",
                    "{\"command\":\"python -m pytest -q\",\"description\":\"Run the test suite\"}",
                    """
                    Exit code 1
                    .F
                    FAILED tests/test_calc.py::test_divide_by_zero - ZeroDivisionError: division by zero
                    1 failed, 1 passed in 0.03s""",
                    true),
            new Step(
                    "divide() should raise ValueError for a zero divisor, as the test expects.",
                    "Edit",
                    "{\"file_path\":\"" + DIR + "/calc.py\",\"old_string\":\"    return a / b\",\"new_string\":"
                            + "\"    if b == 0:\\n        raise ValueError(\\\"division by "
                            + "zero\\\")\\n    return a / b\"}",
                    "The file " + DIR + "/calc.py has been updated successfully.",
                    null),
            new Step(
                    null,
                    "Bash",
                    "{\"command\":\"python -m pytest -q\",\"description\":\"Run the test suite again\"}",
                    "..\n2 passed in 0.02s",
                    false),
            new Step(
                    "Tests pass. Confirming the working tree state.",
                    "Bash",
                    "{\"command\":\"git status --short && git diff --stat\",\"description\":\"Show what changed\"}",
                    " M calc.py\n calc.py | 6 ++++++\n 1 file changed, 6 insertions(+)",
                    false),
            new Step(
                    null,
                    "Read",
                    "{\"file_path\":\"" + DIR + "/README.md\"}",
                    "1\t# demo\n2\t\n3\tA tiny repo for capturing Claude Code traffic.\n4\t",
                    null),
            new Step(
                    "Looking for other callers of divide().",
                    "Bash",
                    "{\"command\":\"grep -rn \\\"divide(\\\" --include=*.py "
                            + ".\",\"description\":\"Find callers of divide\"}",
                    "./calc.py:12:def divide(a, b):\n./tests/test_calc.py:2:from calc import add, divide, subtract\n"
                            + "./tests/test_calc.py:11:        divide(1, 0)",
                    false));

    /** The sub-agent's own system prompt (written for the replay in the manner of Claude Code's Explore agent). */
    static final String EXPLORE_PROMPT = """
            You are a read-only search agent working for another agent. You locate code, files and facts in the \
            user's repository and report back what you found; you do not change anything.

            Your strengths:
            - Sweeping many files and directories quickly with search commands
            - Recognising naming conventions and where a concept lives in a code base
            - Reading just enough of a file to confirm a finding

            Rules:
            - Never create, edit, move or delete files, and never run commands that change the system, install \
            packages or touch version control state. Use Bash only for read-only commands such as ls, find, grep, \
            git log, git show and cat.
            - Prefer narrow searches first and widen them when they find nothing. Search for several spellings of \
            a name when you are not sure how the code base writes it.
            - Read excerpts rather than whole files: you are looking for locations, not reviewing code.
            - Use absolute file paths in everything you report.
            - Match the thoroughness you were asked for: "quick" means the first good match, "medium" a few \
            likely places, "very thorough" every location and naming variant.

            When you are done, answer with a short report: each finding as an absolute path with line numbers \
            and one sentence on what is there, followed by anything you looked for and did not find. Do not \
            include file contents beyond the lines that prove a finding. Your report is read by another agent, \
            not shown to the user, so leave out greetings and summaries of your process.
            """;

    /** The task the main agent hands the sub-agent (its first user message). */
    static final String EXPLORE_TASK = "Find every place in " + DIR + " where division is implemented, called or"
            + " tested, and report the file paths with line numbers. Thoroughness: medium.";

    /** The tasks of two Explore agents run at the same time: the first is {@link #EXPLORE_TASK}. */
    static final List<String> EXPLORE_TASKS = List.of(
            EXPLORE_TASK,
            "List every test in " + DIR
                    + " and the function each one exercises, with file paths and line numbers. Thoroughness: quick.");

    /** The tools the sub-agent gets: the read-only ones of the recorded set. */
    static final List<String> EXPLORE_TOOLS = List.of("Bash", "Read", "WebFetch", "WebSearch");

    /** How the sub-agent searches. */
    static final List<Step> EXPLORE = List.of(
            new Step(
                    "Searching for division in the Python sources.",
                    "Bash",
                    "{\"command\":\"grep -rn \\\" / \\\" --include=*.py " + DIR
                            + "\",\"description\":\"Find divisions\"}",
                    DIR + "/calc.py:13:    return a / b",
                    false),
            new Step(
                    null,
                    "Read",
                    "{\"file_path\":\"" + DIR + "/calc.py\",\"offset\":11,\"limit\":4}",
                    "11\t\n12\tdef divide(a, b):\n13\t    return a / b\n14\t",
                    null),
            new Step(
                    "Now callers and tests.",
                    "Bash",
                    "{\"command\":\"grep -rn divide " + DIR
                            + " --include=*.py\",\"description\":\"Find divide references\"}",
                    DIR + "/calc.py:12:def divide(a, b):\n" + DIR
                            + "/tests/test_calc.py:2:from calc import add, divide, subtract\n" + DIR
                            + "/tests/test_calc.py:11:        divide(1, 0)",
                    false),
            new Step(
                    null,
                    "Read",
                    "{\"file_path\":\"" + DIR + "/tests/test_calc.py\",\"offset\":9,\"limit\":4}",
                    "9\tdef test_divide_by_zero():\n10\t    with "
                            + "pytest.raises(ValueError):\n11\t        divide(1, 0)\n12\t",
                    null),
            new Step(
                    "Checking for other Python files.",
                    "Bash",
                    "{\"command\":\"find " + DIR
                            + " -name '*.py' -not -path '*/.git/*'\",\"description\":\"List Python files\"}",
                    DIR + "/calc.py\n" + DIR + "/tests/test_calc.py",
                    false),
            new Step(
                    null,
                    "Bash",
                    "{\"command\":\"git -C " + DIR
                            + " log --oneline -- calc.py\",\"description\":\"History of calc.py\"}",
                    "0028d2f Initial commit",
                    false),
            new Step(
                    "Checking the docs for a mention.",
                    "Bash",
                    "{\"command\":\"grep -rni divi " + DIR + "/README.md\",\"description\":\"Search the README\"}",
                    "Exit code 1",
                    true),
            new Step(
                    null,
                    "WebSearch",
                    "{\"query\":\"python raise ValueError instead of ZeroDivisionError convention\"}",
                    "Web search results for query: \"python raise ValueError "
                            + "instead of ZeroDivisionError convention\"\n\nLinks: [{\"title\":\"Built-in "
                            + "Exceptions\",\"url\":\"https://docs.python.org/3/library/exceptions.html\"}]",
                    null));

    /** Claude Code's Read result format: each line prefixed with its number and a tab. */
    private static String numbered(String text) {
        StringBuilder sb = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            sb.append(i + 1).append('\t').append(lines[i]);
            if (i + 1 < lines.length) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
