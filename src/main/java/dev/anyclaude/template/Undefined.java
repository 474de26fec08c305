package dev.anyclaude.template;

/** The value of a name or attribute that does not exist: prints as nothing, is false, and is not none. */
final class Undefined {
    static final Undefined INSTANCE = new Undefined();

    private Undefined() {}

    @Override
    public String toString() {
        return "";
    }
}
