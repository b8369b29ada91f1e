package io.cnnc.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.SourceFile;

/** Compiles snippets for tests. */
public final class CompileTestSupport {

    private CompileTestSupport() {}

    public static Graph graph(String text) {
        Diagnostics d = new Diagnostics(new SourceFile("t.cnn", text));
        CompiledFile f = Compiler.compile(d.source(), d);
        assertThat(d.hasErrors()).as(d.render()).isFalse();
        return f.networks().getFirst();
    }

    /** The rendered diagnostics; fails if there are none. */
    public static String errors(String text) {
        Diagnostics d = new Diagnostics(new SourceFile("t.cnn", text));
        Compiler.compile(d.source(), d);
        assertThat(d.hasErrors()).as("expected errors for:\n" + text).isTrue();
        return d.render();
    }
}
