package io.cnnc.kernels.reference;

/** Identity: flatten, dropout at inference, identity. */
public final class CopyReference {

    private CopyReference() {}

    public static void forward(float[] x, float[] y) {
        System.arraycopy(x, 0, y, 0, y.length);
    }
}
