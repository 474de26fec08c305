package dev.anyclaude.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.ThinkingConfig;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.messages.ToolChoice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The edge parser of {@code POST /v1/messages} and {@code /v1/messages/count_tokens} bodies: turns the
 * bytes into a validated {@link MessagesRequest} or throws {@link GatewayException#invalid} naming the
 * field, the value and what was expected, e.g. {@code max_tokens: -5 (expected: a positive integer)}.
 *
 * <p>It reads the body in one streaming pass (no tree): the large parts of a Claude Code request are
 * tool schemas and tool inputs, which are copied to compact JSON text in the client's key order with
 * numbers as written, so they hash and render identically turn after turn. Unknown top-level fields
 * ({@code metadata}, {@code context_management}, {@code container}, future ones) are accepted and
 * ignored. Absent lists ({@code system}, {@code tools}, {@code stop_sequences}) are empty lists; other
 * absent optional values are null.
 *
 * <p>Thread-safe: all parsing state lives in the call.
 */
public final class RequestParser {
    private final JsonFactory factory;
    /**
     * Parsed tool lists by their exact bytes. Claude Code sends the same ~50 KB of tool definitions with
     * every request; parsing them once per tool set, and handing out the same list instance, lets later
     * stages (the request writer) cache their work on them too. Byte-for-byte equality is required.
     */
    private final Cache<ToolBytes, List<Tool>> toolLists =
            Caffeine.newBuilder().maximumSize(32).build();

    public RequestParser(ObjectMapper mapper) {
        this.factory = mapper.getFactory();
    }

    /**
     * The exact bytes of a {@code tools} array: a range of the request body for a lookup, a copy of its own
     * once stored. The hash covers the length and a sample of ~600 bytes, not all ~50 KB: hashing every byte
     * cost ~10 % of the gateway's CPU per request. Equality compares every byte, so the sample only picks
     * the bucket; two tool sets that differ where it does not look are still two keys.
     */
    private static final class ToolBytes {
        private static final int SAMPLES = 512;
        private static final int ENDS = 32;

        private final byte[] array;
        private final int from;
        private final int to;
        private final int hash;

        private ToolBytes(byte[] array, int from, int to, int hash) {
            this.array = array;
            this.from = from;
            this.to = to;
            this.hash = hash;
        }

        static ToolBytes view(byte[] body, int from, int to) {
            int n = to - from;
            int h = n;
            for (int i = from, end = Math.min(to, from + ENDS); i < end; i++) {
                h = 31 * h + body[i];
            }
            for (int i = Math.max(from, to - ENDS); i < to; i++) {
                h = 31 * h + body[i];
            }
            int step = Math.max(1, n / SAMPLES);
            for (int i = from; i < to; i += step) {
                h = 31 * h + body[i];
            }
            return new ToolBytes(body, from, to, h);
        }

        /** This key with bytes of its own, to be stored. */
        ToolBytes copy() {
            return new ToolBytes(Arrays.copyOfRange(array, from, to), 0, to - from, hash);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ToolBytes t && t.hash == hash && Arrays.equals(array, from, to, t.array, t.from, t.to);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Parses a Messages body; {@code model}, {@code messages} and {@code max_tokens} are required. */
    public MessagesRequest parse(byte[] body) {
        return parse(body, true);
    }

    /**
     * Parses a count_tokens body: like {@link #parse} but without {@code max_tokens} (the result carries 1
     * when it is absent).
     */
    public MessagesRequest parseForCount(byte[] body) {
        return parse(body, false);
    }

    private MessagesRequest parse(byte[] body, boolean requireMaxTokens) {
        if (body == null || body.length == 0) {
            throw GatewayException.invalid("request body is empty (expected: a JSON object)");
        }
        Parse fast = new Parse(body, true);
        try {
            return fast.run(requireMaxTokens);
        } catch (GatewayException e) {
            if (!fast.resumed) {
                throw e;
            }
            // Positions after a resumption are relative to the resumed rest: read the body again in one pass,
            // so the error names the place exactly as a plain parse would.
            return new Parse(body, false).run(requireMaxTokens);
        }
    }

    /** One reading of a body; {@code mayResume} allows jumping over a tools array seen before. */
    private final class Parse {
        private final byte[] body;
        private final boolean mayResume;
        boolean resumed;

        Parse(byte[] body, boolean mayResume) {
            this.body = body;
            this.mayResume = mayResume;
        }

        MessagesRequest run(boolean requireMaxTokens) {
            JsonCursor in = null;
            try {
                in = new JsonCursor(factory.createParser(body), factory);
                if (in.next() != JsonToken.START_OBJECT) {
                    throw GatewayException.invalid("request body: " + in.shown() + " (expected: a JSON object)");
                }
                MessagesRequest request = request(in, this, requireMaxTokens);
                if (in.next() != null) {
                    throw GatewayException.invalid("request body is not valid JSON: content after the end of the"
                            + " object" + at(in.parser().currentTokenLocation()));
                }
                return request;
            } catch (JsonProcessingException e) {
                throw new GatewayException(
                        ErrorKind.INVALID_REQUEST,
                        "request body is not valid JSON: " + e.getOriginalMessage() + at(e.getLocation()),
                        e);
            } catch (IOException e) {
                // encoding detection failures (CharConversionException) and the like
                throw new GatewayException(
                        ErrorKind.INVALID_REQUEST, "request body is not valid JSON: " + e.getMessage(), e);
            } finally {
                if (in != null) {
                    try {
                        in.parser().close();
                    } catch (IOException e) {
                        // a byte-array parser has nothing to release
                    }
                }
            }
        }
    }

    private static String at(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 0 ? "" : " at " + loc.getLineNr() + ":" + loc.getColumnNr();
    }

    private MessagesRequest request(JsonCursor in, Parse parse, boolean requireMaxTokens) throws IOException {
        ContentParser content = new ContentParser(in);
        String model = null;
        Integer maxTokens = null;
        List<ContentBlock.Text> system = List.of();
        List<Message> messages = null;
        List<Tool> tools = List.of();
        ToolChoice toolChoice = null;
        Double temperature = null;
        Double topP = null;
        Integer topK = null;
        List<String> stopSequences = List.of();
        ThinkingConfig thinking = null;
        OutputConfig output = OutputConfig.NONE;
        String legacySchema = null;
        boolean stream = false;
        String safeguards = null;
        for (String f; (f = in.nextField()) != null; ) {
            in.push(f);
            if (in.isNull() && !f.equals("model") && !f.equals("messages") && !f.equals("max_tokens")) {
                in.pop();
                continue; // an explicit null is the same as an absent optional field
            }
            switch (f) {
                case "model" -> {
                    model = in.string("a model name");
                    if (model.isBlank()) {
                        throw in.wrong("a model name");
                    }
                }
                case "max_tokens" -> maxTokens = (int) in.integer(1, Integer.MAX_VALUE, "a positive integer");
                case "system" -> system = content.system();
                case "messages" -> messages = content.messages();
                case "tools" -> tools = toolsOnce(in, parse);
                case "tool_choice" -> toolChoice = toolChoice(in);
                case "temperature" -> temperature = in.number(0, 2, "a number from 0 to 2");
                case "top_p" -> topP = in.number(0, 1, "a number from 0 to 1");
                case "top_k" -> topK = (int) in.integer(0, Integer.MAX_VALUE, "a non-negative integer");
                case "stop_sequences" -> stopSequences = stopSequences(in);
                case "thinking" -> thinking = thinking(in);
                case "output_config" -> output = outputConfig(in);
                case "output_format" -> legacySchema = format(in); // the structured-outputs beta's field
                case "stream" -> stream = in.bool("a boolean");
                case "safeguards" ->
                    safeguards = in.rawArray("an array of safeguards such as"
                            + " {\"type\": \"dangerous_tool_use\", \"classifier_context\": {...}}");
                default -> in.skip();
            }
            in.pop();
        }
        if (model == null) {
            throw in.missing("model", "a model name");
        }
        if (messages == null) {
            throw in.missing("messages", "a non-empty array of messages");
        }
        if (maxTokens == null) {
            if (requireMaxTokens) {
                throw in.missing("max_tokens", "a positive integer");
            }
            maxTokens = 1;
        }
        String schema = output.schemaJson != null ? output.schemaJson : legacySchema;
        messages = content.expandToolReferences(messages, tools);
        return new MessagesRequest(
                model,
                maxTokens,
                system,
                messages,
                tools,
                toolChoice,
                temperature,
                topP,
                topK,
                stopSequences,
                thinking,
                schema,
                output.effort,
                stream,
                safeguards);
    }

    /**
     * The tools, from {@link #toolLists} when these exact bytes were parsed before. The array is skipped to
     * find its extent; on a miss its bytes are parsed on their own, with the same paths in error messages.
     *
     * <p>Skipping ~50 KB of tool JSON was the largest single cost of a request. So when the bytes at the
     * array's start equal a recently seen tools array, the array is known to end where those bytes end (a
     * JSON value's extent is fixed by its own bytes), and reading resumes right after it (see
     * {@link #resumeAfter}).
     */
    private List<Tool> toolsOnce(JsonCursor in, Parse parse) throws IOException {
        JsonParser p = in.parser();
        byte[] body = parse.body;
        long start = p.currentTokenLocation().getByteOffset();
        if (p.currentToken() != JsonToken.START_ARRAY || start < 0) {
            return tools(in);
        }
        if (parse.mayResume && !parse.resumed) {
            for (KnownTools known : recentTools) {
                ToolBytes k = known.bytes();
                int end = (int) start + k.to;
                if (end <= body.length
                        && Arrays.equals(body, (int) start, end, k.array, 0, k.to)
                        && resumeAfter(in, body, end)) {
                    parse.resumed = true;
                    return known.tools();
                }
            }
        }
        p.skipChildren();
        long end = p.currentLocation().getByteOffset();
        if (end <= start || end > body.length) {
            throw GatewayException.invalid("tools: could not be read (expected: an array of tools)");
        }
        ToolBytes seen = ToolBytes.view(body, (int) start, (int) end);
        List<Tool> cached = toolLists.getIfPresent(seen);
        if (cached == null) {
            ToolBytes key = seen.copy();
            try (JsonParser own = factory.createParser(key.array)) {
                JsonCursor c = new JsonCursor(own, factory);
                c.push("tools");
                own.nextToken();
                cached = tools(c);
                toolLists.put(key, cached);
            }
            remember(new KnownTools(key, cached));
        } else if (!isRecent(cached)) {
            remember(new KnownTools(seen.copy(), cached));
        }
        return cached;
    }

    /** A tools array seen recently: its bytes and the list parsed from them. */
    private record KnownTools(ToolBytes bytes, List<Tool> tools) {}

    /** The most recently seen tools arrays, newest first: a main agent's and its sub-agents'. */
    private volatile List<KnownTools> recentTools = List.of();

    private static final int RECENT_TOOLS = 4;

    private boolean isRecent(List<Tool> tools) {
        for (KnownTools k : recentTools) {
            if (k.tools() == tools) {
                return true;
            }
        }
        return false;
    }

    private void remember(KnownTools known) {
        List<KnownTools> next = new ArrayList<>(RECENT_TOOLS);
        next.add(known);
        for (KnownTools k : recentTools) {
            if (next.size() < RECENT_TOOLS && k.tools() != known.tools()) {
                next.add(k);
            }
        }
        recentTools = List.copyOf(next);
    }

    /**
     * Continues reading the top-level object right after a value that ends at {@code end}: the rest of the
     * body ({@code ,"stream":true}} and so on) is read by a new parser as {@code {"stream":true}}. False,
     * and nothing changed, when what follows is not a comma or the object's end (then the plain path reports
     * the error).
     */
    private boolean resumeAfter(JsonCursor in, byte[] body, int end) throws IOException {
        int i = end;
        while (i < body.length && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t')) {
            i++;
        }
        if (i >= body.length || (body[i] != ',' && body[i] != '}')) {
            return false;
        }
        int from = body[i] == ',' ? i + 1 : i;
        byte[] rest = new byte[1 + body.length - from];
        rest[0] = '{';
        System.arraycopy(body, from, rest, 1, body.length - from);
        JsonParser next = factory.createParser(rest);
        if (next.nextToken() != JsonToken.START_OBJECT) {
            next.close();
            return false;
        }
        in.continueWith(next);
        return true;
    }

    private static List<Tool> tools(JsonCursor in) throws IOException {
        in.expectArray("an array of tools");
        List<Tool> out = new ArrayList<>();
        for (int i = 0; in.nextElement(); i++) {
            in.push(i);
            out.add(tool(in));
            in.pop();
        }
        return List.copyOf(out);
    }

    private static Tool tool(JsonCursor in) throws IOException {
        in.expectObject("a tool object");
        String name = null;
        String description = null;
        String schema = null;
        String type = null;
        boolean deferLoading = false;
        for (String f; (f = in.nextField()) != null; ) {
            in.push(f);
            if (!in.isNull()) {
                switch (f) {
                    case "name" -> {
                        name = in.string("a tool name");
                        if (name.isEmpty()) {
                            throw in.wrong("a tool name");
                        }
                    }
                    case "description" -> description = in.string("a string");
                    case "input_schema" -> schema = in.rawObject("a JSON schema object");
                    case "type" -> type = in.string("a string");
                    case "defer_loading" -> deferLoading = in.bool("a boolean");
                    default -> in.skip();
                }
            }
            in.pop();
        }
        if (name == null) {
            throw in.missing("name", "a tool name");
        }
        Tool tool = new Tool(name, description, schema, type, deferLoading);
        if (tool.custom() && schema == null) {
            throw in.missing("input_schema", "a JSON schema object");
        }
        return tool;
    }

    private static ToolChoice toolChoice(JsonCursor in) throws IOException {
        in.expectObject("a tool_choice object");
        String type = null;
        String name = null;
        boolean disableParallel = false;
        for (String f; (f = in.nextField()) != null; ) {
            in.push(f);
            if (!in.isNull()) {
                switch (f) {
                    case "type" -> {
                        type = in.string("one of auto, any, tool, none");
                        if (!type.equals("auto")
                                && !type.equals("any")
                                && !type.equals("tool")
                                && !type.equals("none")) {
                            throw in.wrong("one of auto, any, tool, none");
                        }
                    }
                    case "name" -> name = in.string("a tool name");
                    case "disable_parallel_tool_use" -> disableParallel = in.bool("a boolean");
                    default -> in.skip();
                }
            }
            in.pop();
        }
        if (type == null) {
            throw in.missing("type", "one of auto, any, tool, none");
        }
        if (type.equals("tool") && name == null) {
            throw in.missing("name", "the name of the tool to use");
        }
        return new ToolChoice(type, type.equals("tool") ? name : null, disableParallel);
    }

    private static List<String> stopSequences(JsonCursor in) throws IOException {
        in.expectArray("an array of strings");
        List<String> out = new ArrayList<>(4);
        for (int i = 0; in.nextElement(); i++) {
            in.push(i);
            String s = in.string("a non-empty string");
            if (s.isEmpty()) {
                throw in.wrong("a non-empty string");
            }
            out.add(s);
            in.pop();
        }
        return List.copyOf(out);
    }

    private static ThinkingConfig thinking(JsonCursor in) throws IOException {
        in.expectObject("a thinking object");
        String type = null;
        int budget = 0;
        String display = null;
        for (String f; (f = in.nextField()) != null; ) {
            in.push(f);
            if (!in.isNull()) {
                switch (f) {
                    case "type" -> {
                        type = in.string("one of enabled, adaptive, disabled");
                        if (!type.equals("enabled") && !type.equals("adaptive") && !type.equals("disabled")) {
                            throw in.wrong("one of enabled, adaptive, disabled");
                        }
                    }
                    case "budget_tokens" -> budget = (int) in.integer(0, Integer.MAX_VALUE, "a non-negative integer");
                    case "display" -> display = in.string("a display mode such as summarized or omitted");
                    default -> in.skip();
                }
            }
            in.pop();
        }
        if (type == null) {
            throw in.missing("type", "one of enabled, adaptive, disabled");
        }
        return new ThinkingConfig(type, budget, display);
    }

    private record OutputConfig(String effort, String schemaJson) {
        static final OutputConfig NONE = new OutputConfig(null, null);
    }

    private static OutputConfig outputConfig(JsonCursor in) throws IOException {
        in.expectObject("an output_config object");
        String effort = null;
        String schema = null;
        for (String f; (f = in.nextField()) != null; ) {
            in.push(f);
            if (!in.isNull()) {
                switch (f) {
                    case "effort" -> {
                        effort = in.string("an effort level such as low, medium, high");
                        if (effort.isEmpty()) {
                            throw in.wrong("an effort level such as low, medium, high");
                        }
                    }
                    case "format" -> schema = format(in);
                    default -> in.skip();
                }
            }
            in.pop();
        }
        return new OutputConfig(effort, schema);
    }

    /** A {@code {"type":"json_schema","schema":{...}}} format; returns the schema as compact JSON. */
    private static String format(JsonCursor in) throws IOException {
        in.expectObject("a format object with type json_schema");
        String type = null;
        String schema = null;
        for (String f; (f = in.nextField()) != null; ) {
            in.push(f);
            if (!in.isNull()) {
                switch (f) {
                    case "type" -> {
                        type = in.string("json_schema");
                        if (!type.equals("json_schema")) {
                            throw in.wrong("json_schema");
                        }
                    }
                    case "schema" -> schema = in.rawObject("a JSON schema object");
                    default -> in.skip();
                }
            }
            in.pop();
        }
        if (type == null) {
            throw in.missing("type", "json_schema");
        }
        if (schema == null) {
            throw in.missing("schema", "a JSON schema object");
        }
        return schema;
    }
}
