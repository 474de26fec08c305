package dev.anyclaude.backend.launch;

import java.io.PrintStream;
import java.time.Duration;

/**
 * The "waiting for the server" display on stderr. On a terminal one line is rewritten in place; into a file
 * or pipe a line is written every ten seconds (and whenever the server's answer changes), so logs stay short.
 */
public final class StartProgress {
    private static final Duration LINE_EVERY = Duration.ofSeconds(10);

    private final PrintStream out;
    private final boolean inPlace;
    private final String what;
    private Duration lastLine = Duration.ofDays(-1);
    private String lastDetail = "";
    private boolean dirty;

    /**
     * @param out where to write, or null for no display
     * @param inPlace rewrite one line (a terminal) rather than append lines
     * @param what the server's name, e.g. {@code llama-server}
     */
    public StartProgress(PrintStream out, boolean inPlace, String what) {
        this.out = out;
        this.inPlace = inPlace;
        this.what = what;
    }

    public static StartProgress silent() {
        return new StartProgress(null, false, "");
    }

    /** Whether stderr is probably a terminal (the JDK can only tell for the console as a whole). */
    public static boolean terminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    void update(Duration elapsed, String detail) {
        if (out == null) {
            return;
        }
        String line = "anyclaude: waiting for " + what + " (" + elapsed.toSeconds() + " s): " + detail;
        if (inPlace) {
            out.print("\r" + line + "\u001b[K");
            out.flush();
            dirty = true;
        } else if (!detail.equals(lastDetail) || elapsed.minus(lastLine).compareTo(LINE_EVERY) >= 0) {
            out.println(line);
            lastLine = elapsed;
        }
        lastDetail = detail;
    }

    void done(String message) {
        if (out == null) {
            return;
        }
        if (dirty) {
            out.print("\r\u001b[K");
        }
        out.println("anyclaude: " + message);
        out.flush();
        dirty = false;
    }
}
