package io.cnnc.compiler.ops;

import java.util.Set;

/**
 * How ONNX nodes of some types become an op's .cnn layer, held by the op's definition and
 * registered with its layer in LayerCatalog. A total rule takes every node of its types (and
 * refuses in words what it cannot express); a pattern rule takes only the nodes it recognizes
 * (a channel shuffle's Reshape), declining the rest. The importer tries pattern rules first; each
 * ONNX type has at most one total rule.
 */
public record OnnxImportRule(Set<String> opTypes, boolean total, Translation translation) {

    @FunctionalInterface
    public interface Translation {
        /** Translates the node; false where a pattern rule does not recognize it. */
        boolean translate(OnnxImport node) throws OnnxImport.Refused;
    }

    /** A rule that takes every node of {@code opTypes}. */
    public static OnnxImportRule total(Set<String> opTypes, Body body) {
        return new OnnxImportRule(opTypes, true, n -> {
            body.translate(n);
            return true;
        });
    }

    /** A rule that takes the nodes of {@code opTypes} it recognizes. */
    public static OnnxImportRule pattern(Set<String> opTypes, Translation translation) {
        return new OnnxImportRule(opTypes, false, translation);
    }

    @FunctionalInterface
    public interface Body {
        void translate(OnnxImport node) throws OnnxImport.Refused;
    }
}
