package dev.anyclaude.gateway;

import java.io.PrintStream;
import java.util.function.DoubleConsumer;

/**
 * Model-load progress on the terminal: one line redrawn in place on a terminal, or a line per quarter
 * when the output is a file, so a log stays readable.
 */
public final class LoadProgress implements DoubleConsumer {
    private final PrintStream out;
    private final String what;
    private final boolean terminal = System.console() != null;
    private int shown = -1;

    public LoadProgress(PrintStream out, String what) {
        this.out = out;
        this.what = what;
    }

    @Override
    public void accept(double fraction) {
        int percent = (int) Math.round(Math.max(0, Math.min(1, fraction)) * 100);
        int step = terminal ? percent : percent / 25 * 25;
        if (step == shown) {
            return;
        }
        shown = step;
        if (terminal) {
            out.print("\ranyclaude: loading " + what + " " + percent + "%");
        } else {
            out.println("anyclaude: loading " + what + " " + step + "%");
        }
        out.flush();
    }

    /** Ends the progress line. */
    public void done() {
        if (terminal && shown >= 0) {
            out.println();
        }
    }
}
