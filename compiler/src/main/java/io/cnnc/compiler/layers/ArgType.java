package io.cnnc.compiler.layers;

/** The kinds of value a layer argument accepts. */
public enum ArgType {
    /** A whole number. */
    INT("an integer"),
    /** Any number. */
    FLOAT("a number"),
    BOOL("true or false"),
    /** An integer, or a pair {@code (h, w)}. */
    PAIR("an integer or a pair (h, w)"),
    /** An integer, a pair, {@code "same"} or {@code "valid"}. */
    PADDING("an integer, a pair (h, w), (top, left, bottom, right), \"same\" or \"valid\""),
    STRING("a string");

    private final String words;

    ArgType(String words) {
        this.words = words;
    }

    public String words() {
        return words;
    }
}
