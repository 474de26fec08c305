package dev.anyclaude.template;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A frame of variables; lookups fall through to the enclosing frame, assignments stay in this one. */
final class Scope {
    private final @Nullable Scope parent;
    private final Map<String, Object> vars = new HashMap<>();

    Scope(@Nullable Scope parent) {
        this.parent = parent;
    }

    @Nullable
    Object get(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.vars.containsKey(name)) {
                return s.vars.get(name);
            }
        }
        return Undefined.INSTANCE;
    }

    void set(String name, @Nullable Object value) {
        vars.put(name, value);
    }
}
