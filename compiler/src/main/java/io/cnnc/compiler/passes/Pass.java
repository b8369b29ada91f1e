package io.cnnc.compiler.passes;

import io.cnnc.compiler.ir.Graph;

/** One IR-to-IR transformation. Never modifies its input: returns a new graph (or the same one when nothing applies). */
public interface Pass {

    String name();

    Graph apply(Graph graph);
}
