package dev.anyclaude.backend.embedded;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds stop strings in generated text as it streams: the request's {@code stop_sequences} and the
 * template's end-of-turn text (for vocabularies that spell it out in ordinary tokens). Text that could
 * still turn into a stop string is held back until it is decided; nothing at or after a stop string
 * is passed on.
 */
final class StopScanner {

    /** Text safe to pass on, and the stop string that ended it (null while still going). */
    record Step(String text, String stop, boolean endOfTurn) {
        boolean stopped() {
            return stop != null || endOfTurn;
        }
    }

    private final List<String> sequences;
    private final String endOfTurn;
    private final int longest;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopScanner(List<String> stopSequences, String endOfTurn) {
        this.sequences = new ArrayList<>();
        if (stopSequences != null) {
            for (String s : stopSequences) {
                if (s != null && !s.isEmpty()) {
                    sequences.add(s);
                }
            }
        }
        this.endOfTurn = endOfTurn == null || endOfTurn.isEmpty() ? null : endOfTurn;
        int max = endOfTurn == null ? 0 : endOfTurn.length();
        for (String s : sequences) {
            max = Math.max(max, s.length());
        }
        this.longest = max;
    }

    Step accept(String text) {
        if (stopped) {
            return new Step("", null, false);
        }
        held.append(text);
        int best = -1;
        String match = null;
        boolean eot = false;
        for (String s : sequences) {
            int at = held.indexOf(s);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
                match = s;
                eot = false;
            }
        }
        if (endOfTurn != null) {
            int at = held.indexOf(endOfTurn);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
                match = endOfTurn;
                eot = true;
            }
        }
        if (match != null) {
            stopped = true;
            String out = held.substring(0, best);
            held.setLength(0);
            return new Step(out, eot ? null : match, eot);
        }
        int keep = heldBack();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Step(out, null, false);
    }

    /** Releases held text at the end of generation. */
    String finish() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    /** Length of the longest suffix of the held text that begins some stop string. */
    private int heldBack() {
        int max = Math.min(longest - 1, held.length());
        for (int k = max; k > 0; k--) {
            String tail = held.substring(held.length() - k);
            if (endOfTurn != null && endOfTurn.startsWith(tail)) {
                return k;
            }
            for (String s : sequences) {
                if (s.startsWith(tail)) {
                    return k;
                }
            }
        }
        return 0;
    }
}
