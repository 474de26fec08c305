package dev.anyclaude.safeguard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** A classifier's verdict on one tool call: flagged (blocked) or not, and why. */
record Verdict(boolean flagged, String explanation) {

    /** A verdict for a call that could not be judged: blocked, saying why. */
    static Verdict unjudged(String why) {
        return new Verdict(
                true, "anyclaude's local safety check could not judge this call (" + why + "), so it is blocked");
    }

    /**
     * The verdict in a classifier's answer: a JSON object with {@code outcome} {@code flagged} or {@code
     * not_flagged} (text around the object is tolerated, for servers without a JSON mode).
     *
     * @throws IOException when there is no such object
     */
    static Verdict parse(String answer, ObjectMapper json) throws IOException {
        int start = answer.indexOf('{');
        int end = answer.lastIndexOf('}');
        if (start < 0 || end < start) {
            throw new IOException("no JSON object in the classifier's answer: " + shorten(answer));
        }
        JsonNode verdict;
        try {
            verdict = json.readTree(answer.substring(start, end + 1));
        } catch (JsonProcessingException e) {
            throw new IOException("the classifier's answer is not JSON: " + shorten(answer));
        }
        String outcome = verdict.path("outcome").asText("");
        String explanation = verdict.path("explanation").asText("").strip();
        return switch (outcome) {
            case "flagged" ->
                new Verdict(true, explanation.isEmpty() ? "flagged by the local safety check" : explanation);
            case "not_flagged" -> new Verdict(false, explanation);
            default ->
                throw new IOException("the classifier's answer has no outcome flagged/not_flagged: " + shorten(answer));
        };
    }

    private static String shorten(String s) {
        String t = s.strip();
        return t.length() > 120 ? t.substring(0, 120) + "…" : t.isEmpty() ? "(empty)" : t;
    }
}
