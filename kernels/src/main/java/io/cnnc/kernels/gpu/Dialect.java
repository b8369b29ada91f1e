package io.cnnc.kernels.gpu;

/**
 * The two spellings of the GPU kernel sources. Kernels are written once with the macros of a
 * prelude (KERNEL, GLOBAL, LOCAL, BARRIER(), GID(i), ...); the prelude decides which language
 * they are.
 */
public enum Dialect {
    OPENCL("prelude_opencl.h", ".cl"),
    CUDA("prelude_cuda.h", ".cu");

    private final String prelude;
    private final String extension;

    Dialect(String prelude, String extension) {
        this.prelude = prelude;
        this.extension = extension;
    }

    String prelude() {
        return prelude;
    }

    /** File name extension of a program in this dialect, with the dot. */
    public String extension() {
        return extension;
    }
}
