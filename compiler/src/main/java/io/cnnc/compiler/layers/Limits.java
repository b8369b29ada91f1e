package io.cnnc.compiler.layers;

/**
 * Sizes past which a model is refused with an error rather than left to fail at run time
 * (documented in docs/language.md, "Limits").
 */
public final class Limits {

    /** Largest channel count, spatial size, kernel, stride or padding. */
    public static final int MAX_DIMENSION = 1 << 20;
    /** Largest per-sample value or parameter tensor: 2^28 floats = 1 GiB. */
    public static final long MAX_TENSOR_ELEMENTS = 1L << 28;
    /** Largest total of parameters in one network: 2^30 floats = 4 GiB. */
    public static final long MAX_TOTAL_PARAMETERS = 1L << 30;
    /** Most nodes a network may expand to. */
    public static final int MAX_NODES = 100_000;
    /** Most statements evaluated while expanding blocks and repeats (bounds nested empty repeats). */
    public static final long MAX_EXPANSION_STEPS = 1_000_000;
    /** Most levels of block calls inside block calls. */
    public static final int MAX_BLOCK_DEPTH = 64;
    /** Largest repeat count. */
    public static final long MAX_REPEAT = 10_000;

    private Limits() {}
}
