package dev.anyclaude.template;

import java.util.HashMap;
import java.util.Map;

/** A frame of variables; lookups fall through to the enclosing frame, assignments stay in this one. */
final class Scope {
    private final Scope parent;
    private final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Object get(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.vars.containsKey(name)) {
                return s.vars.get(name);
            }
        }
        return Undefined.INSTANCE;
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }
}
