package dev.anyclaude.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String render(String template, Map<String, Object> vars) {
        return ChatTemplate.parse(template, InstantSource.system()).render(vars);
    }

    private static String render(String template) {
        return render(template, Map.of());
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void trimsBlockNewlinesAndIndentationAsHuggingFaceDoes() {
        assertThat(render("{% if true %}\n  yes\n{% endif %}\nafter")).isEqualTo("  yes\nafter");
        assertThat(render("a\n    {% if true %}b{% endif %}")).isEqualTo("a\nb");
        assertThat(render("x  {{- 'y' -}}  z")).isEqualTo("xyz");
        assertThat(render("x {{ 'y' }}\nz")).isEqualTo("x y\nz");
        assertThat(render("{# note #}\nkept")).isEqualTo("kept");
    }

    @Test
    void dropsOneTrailingNewlineOfTheSource() {
        assertThat(render("hello\n")).isEqualTo("hello");
        assertThat(render("hello\n\n")).isEqualTo("hello\n");
    }

    @Test
    void exposesLoopVariables() {
        String t = "{% for x in ['a','b','c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}"
                + "{{ loop.revindex }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }};{% endfor %}";
        assertThat(render(t)).isEqualTo("10TrueFalse33b;21FalseFalse23ac;32FalseTrue13b;");
    }

    @Test
    void forElseFilterAndBreak() {
        assertThat(render("{% for x in [] %}x{% else %}empty{% endfor %}")).isEqualTo("empty");
        assertThat(render("{% for x in range(6) if x is odd %}{{ x }}{% endfor %}"))
                .isEqualTo("135");
        assertThat(render("{% for x in range(9) %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}"))
                .isEqualTo("012");
        assertThat(render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }} {% endfor %}"))
                .isEqualTo("a=1 b=2 ");
    }

    @Test
    void namespaceCarriesStateOutOfALoopButPlainSetDoesNot() {
        String t = "{% set ns = namespace(n=0) %}{% set m = 0 %}{% for x in [1,2,3] %}{% set ns.n = ns.n + x %}"
                + "{% set m = m + x %}{% endfor %}{{ ns.n }} {{ m }}";
        assertThat(render(t)).isEqualTo("6 0");
    }

    @Test
    void macrosTakeDefaultsKeywordsAndCaller() {
        String t = "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}"
                + "{{ greet('a') }} {{ greet('b', punct='?') }}";
        assertThat(render(t)).isEqualTo("Hi a! Hi b?");
        String call = "{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}inside{% endcall %}";
        assertThat(render(call)).isEqualTo("[inside]");
    }

    @Test
    void blockSetAndFilterBlock() {
        assertThat(render("{% set x %}a{{ 1 + 1 }}{% endset %}{{ x }}")).isEqualTo("a2");
        assertThat(render("{% filter upper %}shout{% endfilter %}")).isEqualTo("SHOUT");
    }

    @Test
    void tojsonWritesPythonsLayoutAndKeepsNonAscii() throws Exception {
        Map<String, Object> vars =
                Map.of("v", Values.fromJson(json("{\"a\":[1,2.5,\"é\\n\"],\"b\":{},\"c\":null,\"d\":true}")));
        assertThat(render("{{ v | tojson }}", vars))
                .isEqualTo("{\"a\": [1, 2.5, \"é\\n\"], \"b\": {}, \"c\": null, \"d\": true}");
        assertThat(render("{{ v | tojson(indent=2) }}", vars))
                .isEqualTo("{\n  \"a\": [\n    1,\n    2.5,\n    \"é\\n\"\n  ],\n  "
                        + "\"b\": {},\n  \"c\": null,\n  \"d\": true\n}");
        assertThat(render("{{ v | tojson(ensure_ascii=true) }}", vars)).contains("\\u00e9");
        assertThat(render("{{ v | tojson(separators=(',', ':')) }}", vars)).startsWith("{\"a\":[1,2.5,");
    }

    @Test
    void printsValuesAsLlamaCppDoes() {
        assertThat(render("{{ none }}|{{ true }}|{{ undefined_name }}|{{ [1, 'a'] }}|{{ {'k': 'v'} }}|{{ 1.5 }}"))
                .isEqualTo("None|True||[1, 'a']|{'k': 'v'}|1.5");
    }

    @Test
    void stringMethodsAndFilters() {
        assertThat(render("{{ '  x  '.strip() }}|{{ 'a,b'.split(',') | join('-') }}|{{ 'abc'.startswith('ab') }}"
                        + "|{{ 'Hello' | upper }}|{{ 'abc'[1:] }}|{{ 'abc'[::-1] }}|{{ "
                        + "[3,1,2] | length }}|{{ ' t ' | trim }}"))
                .isEqualTo("x|a-b|True|HELLO|bc|cba|3|t");
        assertThat(render("{{ x | default('d') }}|{{ '' | default('d', true) }}"))
                .isEqualTo("d|d");
        assertThat(render("{{ [{'a':1},{'a':2},{'b':3}] | selectattr('a', 'defined') | map(attribute='a') | list }}"))
                .isEqualTo("[1, 2]");
        assertThat(render("{{ {'b': 1, 'a': 2} | dictsort }}")).isEqualTo("[['a', 2], ['b', 1]]");
    }

    @Test
    void testsFollowLlamaCppWhereItDiffersFromPython() {
        assertThat(render("{{ x is iterable }}|{{ {} is iterable }}|{{ 'a' is string "
                        + "}}|{{ {} is mapping }}|{{ none is none }}"))
                .isEqualTo("True|False|True|True|True");
    }

    @Test
    void operationsOnUndefinedFailButConcatenateWithStrings() {
        assertThat(render("{{ 'a' + x }}|{{ 1 in x }}")).isEqualTo("a|False");
        assertThatThrownBy(() -> render("{{ x < 1 }}")).isInstanceOf(TemplateException.class);
    }

    @Test
    void noneFailsWithATemplateErrorThatSaysSo() {
        assertThatThrownBy(() -> render("{{ none.content }}"))
                .isInstanceOf(TemplateException.class)
                .hasMessage("line 1: None has no attribute content");
        assertThatThrownBy(() -> render("{{ none.strip() }}"))
                .isInstanceOf(TemplateException.class)
                .hasMessage("line 1: None has no attribute strip");
        assertThatThrownBy(() -> render("{{ none[0] }}"))
                .isInstanceOf(TemplateException.class)
                .hasMessage("line 1: None cannot be indexed");
        assertThatThrownBy(() -> render("{{ none | length }}"))
                .isInstanceOf(TemplateException.class)
                .hasMessage("line 1: length of None");
        assertThatThrownBy(() -> render("{{ none | int }}"))
                .isInstanceOf(TemplateException.class)
                .hasMessage("line 1: int of None");
        assertThatThrownBy(() -> render("{{ 1 + none }}"))
                .isInstanceOf(TemplateException.class)
                .hasMessageNotContaining("NullPointerException");
    }

    @Test
    void raiseExceptionNamesTheTemplateLine() {
        assertThatThrownBy(() -> render("line one\n{{ raise_exception('nope') }}"))
                .isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("line 2:")
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> render("a\nb\n{% for x in 5 %}{% endfor %}"))
                .isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("line 3:");
        assertThatThrownBy(() -> ChatTemplate.parse("ok\n{% if %}", InstantSource.system()))
                .isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("line 2:");
    }

    @Test
    void appliesAnOpenAiRequestWithLlamaCppsPreprocessing() throws Exception {
        String template = "{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}"
                + "{% for c in m.tool_calls or [] %}[{{ c.function.name }} {{ "
                + "c.function.arguments | tojson }}]{% endfor %}"
                + "</{{ m.role }}>{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";
        JsonNode request = json("""
                {"messages":[{"role":"system","content":"S"},{"role":"user","content":"U"},
                {"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function",
                "function":{"name":"f","arguments":"{\\"x\\":1}"}}]},
                 {"role":"tool","tool_call_id":"1","content":"R"}]}""");
        String prompt = ChatTemplate.parse(template, InstantSource.system())
                .apply(request, new TemplateTokens("<s>", "</s>", false, false));
        assertThat(prompt)
                .isEqualTo("<s><system>S</system><user>U</user><assistant>[f {\"x\": 1}]</assistant>"
                        + "<tool>R</tool><assistant>");
        assertThat(ChatTemplate.parse(template, InstantSource.system())
                        .apply(request, new TemplateTokens("<s>", "</s>", true, false)))
                .startsWith("<system>");
    }

    @Test
    void foldsTheSystemMessageIntoTheFirstUserTurnWhenTheTemplateIgnoresIt() throws Exception {
        String template = "{% for m in messages %}{% if m.role != 'system' %}<{{ m.role "
                + "}}>{{ m.content }}{% endif %}{% endfor %}";
        ChatTemplate t = ChatTemplate.parse(template, InstantSource.system());
        assertThat(t.caps().systemRole()).isFalse();
        String prompt = t.apply(
                json("{\"messages\":[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"U\"}]}"),
                TemplateTokens.of("", ""));
        assertThat(prompt).isEqualTo("<user>S\nU");
    }

    @Test
    void capsSeeToolsAndObjectArguments() {
        ChatTemplate t = ChatTemplate.parse(
                "{% for tool in tools %}{{ tool.function.name }}{% endfor %}"
                        + "{% for m in messages %}{{ m.content }}{% for c in "
                        + "m.tool_calls or [] %}{{ c.function.arguments.arg }}"
                        + "{% endfor %}{% endfor %}",
                InstantSource.system());
        assertThat(t.caps()).isEqualTo(new TemplateCaps(true, true, true, true, false));
        ChatTemplate plain =
                ChatTemplate.parse("{% for m in messages %}{{ m.content }}{% endfor %}", InstantSource.system());
        assertThat(plain.caps().tools()).isFalse();
        assertThat(plain.caps().toolCalls()).isFalse();
    }

    @Test
    void strftimeNowReadsTheGivenClock() {
        var t = ChatTemplate.parse("{{ strftime_now('%d %b %Y') }}", InstantSource.system())
                .withClock(() -> java.time.ZonedDateTime.parse("2026-03-04T05:06:07Z"));
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", List.of());
        assertThat(t.render(vars)).isEqualTo("04 Mar 2026");
    }

    @Test
    void strftimeNowShowsTheWallClockTheTemplateWasParsedWith() {
        var t = ChatTemplate.parse(
                "{{ strftime_now('%b %Y') }}", InstantSource.fixed(java.time.Instant.parse("2031-06-15T12:00:00Z")));
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", List.of());
        assertThat(t.render(vars)).isEqualTo("Jun 2031");
    }
}
