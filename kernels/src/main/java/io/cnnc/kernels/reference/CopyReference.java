package io.cnnc.kernels.reference;

/** Identity, flatten and dropout at inference: NCHW data is already flat, so all three just copy. */
public final class CopyReference {

    private CopyReference() {}

    public static void forward(float[] x, float[] y) {
        System.arraycopy(x, 0, y, 0, y.length);
    }
}
