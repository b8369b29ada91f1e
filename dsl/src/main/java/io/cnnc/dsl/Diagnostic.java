package io.cnnc.dsl;

/** One error found in a source file, at a place, said in words. */
public record Diagnostic(SourceFile source, Span span, String message) {

    /** {@code file:line:col: error: message}, then the source line and a caret under the place. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append(source.name()).append(':').append(span.line()).append(':').append(span.column())
                .append(": error: ").append(message).append('\n');
        if (span.line() > 0) {
            String line = source.line(span.line()).replace('\t', ' ');
            out.append("  ").append(line).append('\n');
            int col = Math.max(1, Math.min(span.column(), line.length() + 1));
            int carets = Math.max(1, Math.min(span.length(), line.length() - col + 1));
            out.append("  ").append(" ".repeat(col - 1)).append('^').append("~".repeat(carets - 1)).append('\n');
        }
        return out.toString();
    }
}
