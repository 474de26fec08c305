package dev.anyclaude.template;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** The syntax tree of a template: statements that write output and expressions that compute values. */
sealed interface Node {
    int line();

    // Statements

    record Text(int line, String text) implements Node {}

    record Output(int line, Node expression) implements Node {}

    record If(int line, Node test, List<Node> then, List<Node> otherwise) implements Node {}

    record For(
            int line,
            List<String> targets,
            Node iterable,
            @Nullable Node filter,
            List<Node> body,
            List<Node> otherwise,
            boolean recursive)
            implements Node {}

    /** {@code {% set x = value %}} (body empty) or the block form {@code {% set x %}body{% endset %}} (value null). */
    record Assign(int line, Node target, @Nullable Node value, List<Node> body) implements Node {}

    record Macro(int line, String name, List<Param> params, List<Node> body) implements Node {}

    record CallBlock(int line, Node call, List<Param> callerParams, List<Node> body) implements Node {}

    record FilterBlock(int line, Node filter, List<Node> body) implements Node {}

    record LoopControl(int line, boolean isBreak) implements Node {}

    record Param(String name, @Nullable Node defaultValue) {}

    // Expressions

    record Literal(int line, @Nullable Object value) implements Node {}

    record Name(int line, String name) implements Node {}

    record ListExpr(int line, List<Node> items, boolean tuple) implements Node {}

    record DictExpr(int line, List<Node> keys, List<Node> values) implements Node {}

    record Member(int line, Node object, String name) implements Node {}

    record Index(int line, Node object, Node index) implements Node {}

    record Slice(
            int line,
            Node object,
            @Nullable Node start,
            @Nullable Node stop,
            @Nullable Node step) implements Node {}

    record Call(int line, Node callee, List<Node> args, List<String> names) implements Node {}

    record Filter(int line, Node value, String name, List<Node> args, List<String> names) implements Node {}

    record Test(int line, Node value, String name, List<Node> args, boolean negated) implements Node {}

    record Unary(int line, String op, Node operand) implements Node {}

    record Binary(int line, String op, Node left, Node right) implements Node {}

    record Ternary(int line, Node test, Node then, Node otherwise) implements Node {}
}
