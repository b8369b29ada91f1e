package io.cnnc.dsl;

/** A place in a source file: 1-based line and column, and how many characters it covers. */
public record Span(int line, int column, int length) {

    public static final Span NONE = new Span(0, 0, 0);

    /** From the first character of this span to the last of {@code end}, when both are on one line. */
    public Span to(Span end) {
        if (end.line != line || end.column < column) return this;
        return new Span(line, column, Math.max(length, end.column + end.length - column));
    }
}
