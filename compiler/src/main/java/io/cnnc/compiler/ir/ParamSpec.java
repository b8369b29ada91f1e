package io.cnnc.compiler.ir;

import java.util.Arrays;

/**
 * A tensor a layer owns: its name suffix ({@code weight}, {@code running_var}), its shape,
 * whether it is learned (counted as a parameter) or a buffer, and how it starts.
 */
public record ParamSpec(String suffix, int[] dims, boolean learned, Init init) {

    /** How a tensor is initialised; mirrors PyTorch's defaults so fresh models behave alike. */
    public record Init(Kind kind, double value, int fanIn) {
        public enum Kind { KAIMING_UNIFORM, FAN_IN_UNIFORM, CONSTANT }

        /** PyTorch's default for conv and linear weights: kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
        public static Init kaimingUniform(int fanIn) {
            return new Init(Kind.KAIMING_UNIFORM, 0, fanIn);
        }

        /** PyTorch's default for conv and linear biases: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
        public static Init fanInUniform(int fanIn) {
            return new Init(Kind.FAN_IN_UNIFORM, 0, fanIn);
        }

        public static Init constant(double value) {
            return new Init(Kind.CONSTANT, value, 0);
        }
    }

    public long size() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamSpec p && p.suffix.equals(suffix) && Arrays.equals(p.dims, dims)
                && p.learned == learned && p.init.equals(init);
    }

    @Override
    public int hashCode() {
        return suffix.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return suffix + Arrays.toString(dims);
    }
}
