package io.cnnc.runtime;

import java.util.Arrays;

/** A dense float32 tensor, row-major (NCHW for activations). The data array is shared, not copied. */
public final class Tensor {

    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    public static Tensor of(float[] data, int... shape) {
        long n = product(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        return new Tensor(data, shape.clone());
    }

    public static Tensor zeros(int... shape) {
        long n = product(shape);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " is too large");
        return new Tensor(new float[(int) n], shape.clone());
    }

    /** Number of elements of a shape, refusing negative dimensions and overflow. */
    public static long product(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public float[] data() {
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public long size() {
        return data.length;
    }

    /** The same data seen with another shape of the same size. */
    public Tensor reshape(int... newShape) {
        return of(data, newShape);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
