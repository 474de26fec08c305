package dev.anyclaude.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.anyclaude.messages.GatewayException;
import java.io.IOException;
import java.io.Writer;

/**
 * A streaming JSON parser that knows where it is: it keeps the dotted path of the current value
 * ({@code messages.3.content.0.type}) so that every validation failure names the field, and it copies
 * raw subtrees (tool input, schemas) to compact JSON text in the client's key order with numbers kept
 * exactly as written.
 *
 * <p>One cursor serves one request body on one thread.
 */
final class JsonCursor {
    private static final int MAX_SHOWN_CHARS = 60;

    private JsonParser parser;
    private final JsonFactory factory;
    private Object[] segments = new Object[16];
    private int depth;
    private StringBuilderWriter copyBuffer;
    private JsonGenerator copyGenerator;

    JsonCursor(JsonParser parser, JsonFactory factory) {
        this.parser = parser;
        this.factory = factory;
    }

    JsonParser parser() {
        return parser;
    }

    /**
     * Goes on reading from {@code next}, which must stand where the current parser would be after its
     * current value (see {@code RequestParser}'s resumption after a known tools array); the path is kept.
     * The current parser is closed.
     */
    void continueWith(JsonParser next) throws IOException {
        JsonParser old = parser;
        parser = next;
        old.close();
    }

    JsonToken token() {
        return parser.currentToken();
    }

    JsonToken next() throws IOException {
        return parser.nextToken();
    }

    // ---- path ----

    void push(String field) {
        grow();
        segments[depth++] = field;
    }

    void push(int index) {
        grow();
        segments[depth++] = index;
    }

    void pop() {
        segments[--depth] = null;
    }

    private void grow() {
        if (depth == segments.length) {
            segments = java.util.Arrays.copyOf(segments, depth * 2);
        }
    }

    /** The dotted path of the current value. */
    String path() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(segments[i]);
        }
        return sb.toString();
    }

    /** The dotted path of a field of the current object. */
    String path(String field) {
        return depth == 0 ? field : path() + "." + field;
    }

    // ---- iteration ----

    /**
     * Advances inside the object whose START_OBJECT is current: returns the next field name with the
     * parser on its value, or null at the end of the object. The caller pushes the name if it needs it.
     */
    String nextField() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        String name = parser.currentName();
        parser.nextToken();
        return name;
    }

    /** Advances inside the array whose START_ARRAY is current: true with the parser on the next element. */
    boolean nextElement() throws IOException {
        return parser.nextToken() != JsonToken.END_ARRAY;
    }

    void skip() throws IOException {
        parser.skipChildren();
    }

    boolean isNull() {
        return parser.currentToken() == JsonToken.VALUE_NULL;
    }

    // ---- typed values (the parser is on the value; the value's path is pushed) ----

    void expectObject(String expected) {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw wrong(expected);
        }
    }

    void expectArray(String expected) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw wrong(expected);
        }
    }

    String string(String expected) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw wrong(expected);
        }
        return parser.getText();
    }

    boolean bool(String expected) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw wrong(expected);
    }

    /** An integer in [min, max]. */
    long integer(long min, long max, String expected) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT
                || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw wrong(expected);
        }
        long v = parser.getLongValue();
        if (v < min || v > max) {
            throw wrong(expected);
        }
        return v;
    }

    /** A finite number in [min, max]. */
    double number(double min, double max, String expected) throws IOException {
        JsonToken t = parser.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrong(expected);
        }
        double v = parser.getDoubleValue();
        if (!(v >= min && v <= max)) {
            throw wrong(expected);
        }
        return v;
    }

    /** Copies the current value (an object) to compact JSON text, numbers kept as written. */
    String rawObject(String expected) throws IOException {
        expectObject(expected);
        return raw();
    }

    /** The current array as compact JSON text. */
    String rawArray(String expected) throws IOException {
        expectArray(expected);
        return raw();
    }

    private String raw() throws IOException {
        if (copyGenerator == null) {
            copyBuffer = new StringBuilderWriter();
            copyGenerator = factory.createGenerator(copyBuffer);
            copyGenerator.setRootValueSeparator(null);
        }
        copyValue(copyGenerator);
        copyGenerator.flush();
        return copyBuffer.take();
    }

    private void copyValue(JsonGenerator g) throws IOException {
        int nesting = 0;
        JsonToken t = parser.currentToken();
        while (true) {
            switch (t) {
                case START_OBJECT -> {
                    g.writeStartObject();
                    nesting++;
                }
                case START_ARRAY -> {
                    g.writeStartArray();
                    nesting++;
                }
                case END_OBJECT -> {
                    g.writeEndObject();
                    nesting--;
                }
                case END_ARRAY -> {
                    g.writeEndArray();
                    nesting--;
                }
                case FIELD_NAME -> g.writeFieldName(parser.currentName());
                case VALUE_STRING ->
                    g.writeString(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                    g.writeNumber(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                case VALUE_TRUE -> g.writeBoolean(true);
                case VALUE_FALSE -> g.writeBoolean(false);
                case VALUE_NULL -> g.writeNull();
                default -> throw new IOException("unexpected token " + t);
            }
            if (nesting == 0) {
                return;
            }
            t = parser.nextToken();
            if (t == null) {
                throw new IOException("unexpected end of input");
            }
        }
    }

    // ---- errors ----

    /** The current value is of the wrong type or out of range. */
    GatewayException wrong(String expected) {
        return GatewayException.invalid(path() + ": " + shown() + " (expected: " + expected + ")");
    }

    /** The current value is wrong for a reason stated in words. */
    GatewayException wrong(String what, String expected) {
        return GatewayException.invalid(path() + ": " + what + " (expected: " + expected + ")");
    }

    /** A required field of the current object is absent. */
    GatewayException missing(String field, String expected) {
        return GatewayException.invalid(path(field) + ": missing (expected: " + expected + ")");
    }

    /** How the current value reads in an error message. */
    String shown() {
        JsonToken t = parser.currentToken();
        if (t == null) {
            return "nothing";
        }
        try {
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> quote(parser.getText());
                default -> parser.getText();
            };
        } catch (IOException e) {
            return t.asString() == null ? t.name() : t.asString();
        }
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_SHOWN_CHARS) + 8).append('"');
        int n = Math.min(s.length(), MAX_SHOWN_CHARS);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (s.length() > n) {
            sb.append('…');
        }
        return sb.append('"').toString();
    }

    /** An unsynchronized Writer into a reusable StringBuilder. */
    private static final class StringBuilderWriter extends Writer {
        private final StringBuilder sb = new StringBuilder(256);

        @Override
        public void write(char[] cbuf, int off, int len) {
            sb.append(cbuf, off, len);
        }

        @Override
        public void write(String str, int off, int len) {
            sb.append(str, off, off + len);
        }

        @Override
        public void write(int c) {
            sb.append((char) c);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}

        String take() {
            String s = sb.toString();
            sb.setLength(0);
            return s;
        }
    }
}
