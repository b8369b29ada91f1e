package io.cnnc.runtime;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A dense float32 tensor, row-major (NCHW for activations). The data array is shared, not
 * copied: {@link #of} wraps the caller's array and {@link #reshape} returns a view of the same
 * array. The shape is immutable ({@link #shape()} returns a copy).
 */
public final class Tensor {

    /** The largest array the JVM reliably allocates (HotSpot refuses lengths near {@code Integer.MAX_VALUE}). */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /** Wraps {@code data} (not copied) with the given shape; the shape's product must equal {@code data.length}. */
    public static Tensor of(float[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        long n = product(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n + " elements, but the data has "
                    + data.length + " values");
        }
        return new Tensor(data, shape.clone());
    }

    /** A new tensor of zeros. */
    public static Tensor zeros(int... shape) {
        long n = product(shape);
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n
                    + " elements, more than a Java array holds (" + MAX_ELEMENTS + ")");
        }
        return new Tensor(new float[(int) n], shape.clone());
    }

    /**
     * Number of elements of a shape (1 for the empty shape of a scalar), computed in {@code long};
     * a negative dimension or a product beyond {@code Long.MAX_VALUE} is an {@link IllegalArgumentException}.
     */
    public static long product(int... shape) {
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than " + Long.MAX_VALUE + " elements");
            }
        }
        return n;
    }

    /** The backing arrays of named tensors (not copies), in the map's order: what the compiler's planners take. */
    public static Map<String, float[]> arrays(Map<String, Tensor> tensors) {
        Map<String, float[]> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.data()));
        return out;
    }

    /** The backing array itself (not a copy): writes through it change this tensor and its reshapes. */
    public float[] data() {
        return data;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}, {@code 0 <= i < rank()}. */
    public int dim(int i) {
        if (i < 0 || i >= shape.length) {
            throw new IndexOutOfBoundsException("dimension " + i + " of a rank-" + shape.length + " tensor " + shapeString());
        }
        return shape[i];
    }

    /** Number of elements. */
    public long size() {
        return data.length;
    }

    /** The same data (shared, not copied) seen with another shape of the same number of elements. */
    public Tensor reshape(int... newShape) {
        long n = product(newShape);
        if (n != data.length) {
            throw new IllegalArgumentException("cannot reshape " + shapeString() + " (" + data.length + " elements) to "
                    + Arrays.toString(newShape) + " (" + n + " elements)");
        }
        return new Tensor(data, newShape.clone());
    }

    /** The shape as {@code [1, 3, 224, 224]} ({@code []} for a scalar). */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
