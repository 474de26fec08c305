package dev.anyclaude.toolcall.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonSchemaGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Gbnf grammar(String schema) {
        String gbnf = JsonSchemaGrammar.gbnf(json(schema));
        assertThat(gbnf).startsWith("root ::= ");
        return new Gbnf(gbnf);
    }

    @Test
    void primitives() {
        Gbnf g = grammar("{\"type\":\"string\"}");
        assertThat(g.matches("root", "\"a \\\"b\\\" \\u00e9 ü\"")).isTrue();
        assertThat(g.matches("root", "\"a\nb\"")).isFalse();
        assertThat(g.matches("root", "12")).isFalse();

        Gbnf n = grammar("{\"type\":\"number\"}");
        assertThat(n.matches("root", "-12.5e3")).isTrue();
        assertThat(n.matches("root", "0")).isTrue();
        assertThat(n.matches("root", "01")).isFalse();
        assertThat(n.matches("root", "\"1\"")).isFalse();

        Gbnf i = grammar("{\"type\":\"integer\"}");
        assertThat(i.matches("root", "-7")).isTrue();
        assertThat(i.matches("root", "7.5")).isFalse();
        Gbnf u = grammar("{\"type\":\"integer\",\"minimum\":0}");
        assertThat(u.matches("root", "7")).isTrue();
        assertThat(u.matches("root", "-7")).isFalse();

        assertThat(grammar("{\"type\":\"boolean\"}").matches("root", "false")).isTrue();
        assertThat(grammar("{\"type\":\"null\"}").matches("root", "null")).isTrue();
        assertThat(grammar("{\"type\":\"null\"}").matches("root", "nul")).isFalse();
    }

    @Test
    void anyValue() {
        for (String schema : new String[] {"{}", "true"}) {
            Gbnf g = grammar(schema);
            assertThat(g.matches("root", "{\"a\": [1, {\"b\": null}, \"x\", true], \"c\": -1.5}"))
                    .isTrue();
            assertThat(g.matches("root", "[]")).isTrue();
            assertThat(g.matches("root", "{a: 1}")).isFalse();
        }
    }

    @Test
    void enumConstAnyOfTypeLists() {
        Gbnf e = grammar("{\"type\":\"string\",\"enum\":[\"pending\",\"in_progress\"]}");
        assertThat(e.matches("root", "\"pending\"")).isTrue();
        assertThat(e.matches("root", "\"done\"")).isFalse();

        Gbnf c = grammar("{\"const\":{\"a\":[1,\"x\"]}}");
        assertThat(c.matches("root", "{\"a\":[1,\"x\"]}")).isTrue();

        Gbnf any = grammar("{\"anyOf\":[{\"type\":\"string\",\"enum\":[\"a\"]},{\"type\":"
                + "\"string\",\"const\":\"deleted\"},{\"type\":\"integer\"}]}");
        assertThat(any.matches("root", "\"a\"")).isTrue();
        assertThat(any.matches("root", "\"deleted\"")).isTrue();
        assertThat(any.matches("root", "3")).isTrue();
        assertThat(any.matches("root", "\"b\"")).isFalse();

        Gbnf one = grammar("{\"oneOf\":[{\"type\":\"boolean\"},{\"type\":\"null\"}]}");
        assertThat(one.matches("root", "true")).isTrue();
        assertThat(one.matches("root", "null")).isTrue();

        Gbnf types = grammar("{\"type\":[\"string\",\"null\"]}");
        assertThat(types.matches("root", "\"x\"")).isTrue();
        assertThat(types.matches("root", "null")).isTrue();
        assertThat(types.matches("root", "1")).isFalse();
    }

    @Test
    void objectsRequiredFirstThenOptionalInOrder() {
        Gbnf g = grammar("""
                {"type":"object","properties":{
                  "command":{"type":"string"},"timeout":{"type":"number"},"description":{"type":"string"},
                  "run_in_background":{"type":"boolean"}},
                 "required":["command"],"additionalProperties":false}""");
        assertThat(g.matches("root", "{\"command\": \"ls\"}")).isTrue();
        assertThat(g.matches("root", "{\"command\":\"ls\",\"timeout\":5}")).isTrue();
        assertThat(g.matches(
                        "root",
                        "{\n  \"command\": \"ls\",\n  \"description\": \"List\",\n  \"run_in_background\": true\n}"))
                .isTrue();
        assertThat(g.matches("root", "{}")).isFalse();
        assertThat(g.matches("root", "{\"timeout\": 5}")).isFalse();
        assertThat(g.matches("root", "{\"command\": \"ls\", \"other\": 1}")).isFalse();
        assertThat(g.matches("root", "{\"command\": \"ls\",}")).isFalse();
        assertThat(g.matches("root", "{\"command\": 1}")).isFalse();
    }

    @Test
    void objectsWithoutRequiredProperties() {
        Gbnf g = grammar("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
                + "\"integer\"},\"b\":{\"type\":\"integer\"},\"c\":{\"type\":\"integer\"}}}");
        assertThat(g.matches("root", "{}")).isTrue();
        assertThat(g.matches("root", "{\"b\": 2}")).isTrue();
        assertThat(g.matches("root", "{\"a\": 1, \"c\": 3}")).isTrue();
        assertThat(g.matches("root", "{\"a\": 1, \"b\": 2, \"c\": 3}")).isTrue();
        assertThat(g.matches("root", "{, \"c\": 3}")).isFalse();
        assertThat(g.matches("root", "{\"c\": 3, \"a\": 1}")).isFalse();
    }

    @Test
    void additionalPropertiesAndFreeObjects() {
        Gbnf meta =
                grammar("{\"type\":\"object\",\"propertyNames\":{\"type\":\"string\"},\"additionalProperties\":{}}");
        assertThat(meta.matches("root", "{}")).isTrue();
        assertThat(meta.matches("root", "{\"k\": null, \"j\": [1]}")).isTrue();

        Gbnf typed = grammar("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}");
        assertThat(typed.matches("root", "{\"k\": 1, \"j\": 2}")).isTrue();
        assertThat(typed.matches("root", "{\"k\": \"x\"}")).isFalse();

        Gbnf mixed = grammar("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
                + "\"string\"}},\"required\":[\"a\"],\"additionalProperties\":true}");
        assertThat(mixed.matches("root", "{\"a\": \"x\", \"z\": {\"q\": 1}, \"y\": 2}"))
                .isTrue();
        assertThat(grammar("{\"type\":\"object\"}").matches("root", "{\"any\": 1}"))
                .isTrue();
    }

    @Test
    void arrays() {
        Gbnf g = grammar("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
        assertThat(g.matches("root", "[]")).isTrue();
        assertThat(g.matches("root", "[\"a\", \"b\"]")).isTrue();
        assertThat(g.matches("root", "[1]")).isFalse();

        Gbnf b = grammar("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":1,\"maxItems\":2}");
        assertThat(b.matches("root", "[]")).isFalse();
        assertThat(b.matches("root", "[1]")).isTrue();
        assertThat(b.matches("root", "[1, 2]")).isTrue();
        assertThat(b.matches("root", "[1, 2, 3]")).isFalse();

        Gbnf s = grammar("{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}");
        assertThat(s.matches("root", "\"ab\"")).isTrue();
        assertThat(s.matches("root", "\"a\"")).isFalse();
        assertThat(s.matches("root", "\"abcd\"")).isFalse();
    }

    @Test
    void refsToDefsAndDefinitionsIncludingRecursion() {
        Gbnf g = grammar("""
                {"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
                  "kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v"]}},
                 "$ref":"#/$defs/node"}""");
        assertThat(g.matches("root", "{\"v\": 1, \"kids\": [{\"v\": 2}, {\"v\": 3, \"kids\": []}]}"))
                .isTrue();
        assertThat(g.matches("root", "{\"v\": 1, \"kids\": [{}]}")).isFalse();

        Gbnf d = grammar(
                "{\"type\":\"object\",\"properties\":{\"p\":{\"$ref\":\"#/definitions/P\"}},\"required\":[\"p\"],"
                        + "\"definitions\":{\"P\":{\"type\":\"string\",\"enum\":[\"x\"]}}}");
        assertThat(d.matches("root", "{\"p\": \"x\"}")).isTrue();
        assertThat(d.matches("root", "{\"p\": \"y\"}")).isFalse();
    }

    @Test
    void nestedObjectsAndPatternIgnored() {
        Gbnf g = grammar("""
                {"type":"object","properties":{"todos":{"type":"array","items":{"type":"object",
                  "properties":{"content":{"type":"string","minLength":1},
                   "status":{"type":"string","enum":["pending","completed"]},
                  "id":{"type":"string","pattern":"^[a-z]+$","format":"uuid"}},"required":["content","status"]}}},
                 "required":["todos"]}""");
        assertThat(g.matches("root", "{\"todos\": [{\"content\": \"x\", \"status\": \"pending\", \"id\": \"123 !\"}]}"))
                .isTrue();
        assertThat(g.matches("root", "{\"todos\": [{\"content\": \"\", \"status\": \"pending\"}]}"))
                .isFalse();
        assertThat(g.matches("root", "{\"todos\": [{\"content\": \"x\", \"status\": \"done\"}]}"))
                .isFalse();
    }

    @Test
    void keysAndNamesAreEscaped() {
        Gbnf g = grammar("{\"type\":\"object\",\"properties\":{\"a \\\"q\\\" \\\\ "
                + "é\":{\"type\":\"boolean\"}},\"required\":[\"a \\\"q\\\" \\\\ é\"]}");
        assertThat(g.matches("root", "{\"a \\\"q\\\" \\\\ é\": true}")).isTrue();
    }
}
