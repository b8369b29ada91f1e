package io.cnnc.dsl;

/** One error found in a source file, at a place, said in words. */
public record Diagnostic(SourceFile source, Span span, String message) {

    /** Characters of a source line shown under a message at most. */
    static final int SHOWN = 160;

    /** {@code file:line:col: error: message}, then the source line and a caret under the place. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append(source.name()).append(':').append(span.line()).append(':').append(span.column())
                .append(": error: ").append(message).append('\n');
        if (span.line() > 0) {
            String line = source.line(span.line()).replace('\t', ' ');
            int col = Math.max(1, Math.min(span.column(), line.length() + 1));
            // A very long line (generated, or minified) is shown as a window around the place.
            int from = Math.max(0, Math.min(col - 1 - SHOWN / 2, line.length() - SHOWN));
            int to = Math.min(line.length(), from + SHOWN);
            String prefix = from > 0 ? "..." : "";
            String shown = prefix + line.substring(from, to) + (to < line.length() ? "..." : "");
            int at = col - from + prefix.length();
            int carets = Math.max(1, Math.min(span.length(), to - (col - 1)));
            out.append("  ").append(shown).append('\n');
            out.append("  ").append(" ".repeat(at - 1)).append('^').append("~".repeat(carets - 1)).append('\n');
        }
        return out.toString();
    }
}
