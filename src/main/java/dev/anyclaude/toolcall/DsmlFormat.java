package dev.anyclaude.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DeepSeek V3.2 and V4 (DSML): {@code <｜DSML｜function_calls>} (V3.2) or {@code <｜DSML｜tool_calls>} (V4), holding
 * {@code <｜DSML｜invoke name="NAME">} with {@code <｜DSML｜parameter name="P" string="true|false">V</｜DSML｜parameter>};
 * {@code string="true"} marks a string, {@code "false"} a JSON value.
 */
final class DsmlFormat implements CallFormat {
    private static final String DSML = "｜DSML｜";
    private static final List<String> BLOCKS = List.of("function_calls", "tool_calls");
    private static final Pattern NAME = Pattern.compile("name=\"([^\"]*)\"");
    private static final Pattern STRING = Pattern.compile("string=\"(true|false)\"");

    private final Map<String, JsonNode> toolSchemas;

    DsmlFormat(Map<String, JsonNode> toolSchemas) {
        this.toolSchemas = toolSchemas;
    }

    @Override
    public List<String> openers() {
        return BLOCKS.stream().map(b -> "<" + DSML + b + ">").toList();
    }

    @Override
    public Read read(String s, boolean ended) {
        Cursor c = new Cursor(s, ended);
        String block = s.startsWith("<" + DSML + BLOCKS.get(0) + ">") ? BLOCKS.get(0) : BLOCKS.get(1);
        return CallFormat.section(
                c, () -> c.expect("<" + DSML + block + ">"), () -> c.at("</" + DSML + block + ">"), () -> invoke(c));
    }

    private ToolCall invoke(Cursor c) {
        c.expect("<" + DSML + "invoke");
        String name = attribute(NAME, c.until(">"));
        TypedArguments arguments = new TypedArguments(toolSchemas, name);
        while (true) {
            c.skipWhitespace();
            if (c.at("</" + DSML + "invoke>")) {
                return arguments.call(name);
            }
            c.expect("<" + DSML + "parameter");
            String tag = c.until(">");
            String parameter = attribute(NAME, tag);
            String value = c.until("</" + DSML + "parameter>");
            Matcher string = STRING.matcher(tag);
            if (!string.find()) {
                arguments.add(parameter, value);
            } else if (string.group(1).equals("true")) {
                arguments.addString(parameter, value);
            } else {
                arguments.addJsonOrString(parameter, value);
            }
        }
    }

    private static String attribute(Pattern pattern, String tag) {
        Matcher m = pattern.matcher(tag);
        if (!m.find() || m.group(1).isBlank()) {
            throw Cursor.MALFORMED;
        }
        return m.group(1);
    }
}
