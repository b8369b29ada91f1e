package io.cnnc.dsl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every error of one compilation so that all of them can be reported together.
 * Stops collecting past a cap so that a pathological file cannot flood the terminal.
 */
public final class Diagnostics {

    public static final int MAX_REPORTED = 100;

    private final SourceFile source;
    private final List<Diagnostic> errors = new ArrayList<>();
    private int dropped;

    public Diagnostics(SourceFile source) {
        this.source = source;
    }

    public SourceFile source() {
        return source;
    }

    public void error(Span span, String message) {
        for (Diagnostic d : errors) {
            if (d.span().equals(span) && d.message().equals(message)) return;
        }
        if (errors.size() >= MAX_REPORTED) {
            dropped++;
            return;
        }
        errors.add(new Diagnostic(source, span, message));
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    public int count() {
        return errors.size() + dropped;
    }

    /** Errors in source order. */
    public List<Diagnostic> errors() {
        return errors.stream()
                .sorted(Comparator.comparingInt((Diagnostic d) -> d.span().line()).thenComparingInt(d -> d.span().column()))
                .toList();
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        for (Diagnostic d : errors()) out.append(d.render());
        if (dropped > 0) out.append("... and ").append(dropped).append(" more errors\n");
        int n = count();
        out.append(n).append(n == 1 ? " error" : " errors").append(" in ").append(source.name()).append('\n');
        return out.toString();
    }
}
