package dev.anyclaude.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples ({@code jdk.ExecutionSample}) fall: by top frame (self time), by
 * the code area of the top frame, and by the first frame of the gateway's own code on the stack
 * (inclusive time of each stage). The same as summarising {@code jfr print --events jdk.ExecutionSample}
 * by hand, done in one pass.
 */
final class JfrProfile {
    private final Map<String, Integer> self = new HashMap<>();
    private final Map<String, Integer> areas = new HashMap<>();
    private final Map<String, Integer> gateway = new HashMap<>();
    private int samples;

    static JfrProfile read(Path recording) throws IOException {
        JfrProfile p = new JfrProfile();
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            if (e.getEventType().getName().equals("jdk.ExecutionSample")) {
                p.add(e.getStackTrace());
            }
        }
        return p;
    }

    private void add(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        samples++;
        List<RecordedFrame> frames = stack.getFrames();
        String top = name(frames.getFirst());
        self.merge(top, 1, Integer::sum);
        areas.merge(area(frames.getFirst().getMethod()), 1, Integer::sum);
        for (RecordedFrame f : frames) {
            RecordedMethod m = f.getMethod();
            if (m != null && m.getType().getName().startsWith("dev.anyclaude.")) {
                gateway.merge(name(f), 1, Integer::sum);
                return;
            }
        }
        gateway.merge("(no dev.anyclaude frame: server, client or JVM threads)", 1, Integer::sum);
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) {
            return "(unknown)";
        }
        String type = m.getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + m.getName() + " (" + packageOf(type) + ")";
    }

    private static String packageOf(String type) {
        int dot = type.lastIndexOf('.');
        return dot < 0 ? "" : type.substring(0, dot);
    }

    /** A coarse area: the gateway's packages, Jackson, Jetty/Javalin, the JDK's HTTP client, NIO, ... */
    static String area(RecordedMethod m) {
        if (m == null) {
            return "(unknown)";
        }
        String t = m.getType().getName();
        if (t.startsWith("dev.anyclaude.")) {
            String rest = t.substring("dev.anyclaude.".length());
            int dot = rest.indexOf('.');
            return "anyclaude " + (dot < 0 ? "(root)" : rest.substring(0, dot));
        }
        String[][] known = {
            {"com.fasterxml.jackson.", "Jackson"},
            {"org.eclipse.jetty.", "Jetty"},
            {"io.javalin.", "Javalin"},
            {"jdk.internal.net.http.", "JDK HttpClient"},
            {"java.net.http.", "JDK HttpClient"},
            {"sun.nio.ch.", "JDK NIO / sockets"},
            {"java.nio.", "JDK NIO buffers"},
            {"sun.net.", "JDK networking"},
            {"java.util.concurrent.", "j.u.concurrent (hand-offs, locks)"},
            {"java.lang.VirtualThread", "virtual-thread scheduling"},
            {"jdk.internal.vm.", "virtual-thread scheduling"},
            {"java.lang.String", "strings"},
            {"java.lang.StringLatin1", "strings"},
            {"java.lang.StringUTF16", "strings"},
            {"java.lang.AbstractStringBuilder", "strings"},
            {"java.util.", "java.util collections"},
            {"ch.qos.logback.", "logging"},
            {"org.slf4j.", "logging"},
            {"io.micrometer.", "metrics"},
            {"java.lang.invoke.", "method handles"},
            {"jdk.internal.misc.", "JDK internals (Unsafe, ...)"},
            {"java.lang.", "java.lang other"},
        };
        for (String[] k : known) {
            if (t.startsWith(k[0])) {
                return k[1];
            }
        }
        return packageOf(t);
    }

    int samples() {
        return samples;
    }

    /** A plain-text report: the {@code top} entries of each view, with shares of all samples. */
    String report(int top) {
        StringBuilder sb = new StringBuilder();
        sb.append("JFR CPU samples (jdk.ExecutionSample): ").append(samples).append('\n');
        section(sb, "by area of the top frame", areas, top);
        section(sb, "by top frame (self)", self, top);
        section(sb, "by first anyclaude frame on the stack (inclusive)", gateway, top);
        return sb.toString();
    }

    private void section(StringBuilder sb, String title, Map<String, Integer> counts, int top) {
        sb.append("\n").append(title).append(":\n");
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        for (Map.Entry<String, Integer> e : sorted.subList(0, Math.min(top, sorted.size()))) {
            sb.append(String.format(
                    "  %5.1f %%  %6d  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getValue(), e.getKey()));
        }
    }
}
