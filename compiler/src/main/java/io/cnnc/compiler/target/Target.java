package io.cnnc.compiler.target;

import java.util.Map;

/**
 * A back end of the compiler: turns the shared {@link FrontHalf} of a network into what runs on
 * one kind of machine (the CPU's compiled Java, a GPU plan, TornadoVM source). A target holds its
 * own settings; it does not run the inference passes again.
 *
 * @param <R> what the target produces
 */
public interface Target<R> {

    /** The name {@code cnnc compile --target} takes. */
    String name();

    /** {@code weights} are the source graph's tensors by full name; a target that needs none ignores them. */
    R compile(FrontHalf front, Map<String, float[]> weights);
}
