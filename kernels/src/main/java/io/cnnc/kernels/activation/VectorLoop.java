package io.cnnc.kernels.activation;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector loop every {@link VectorForm} shares, the last partial vector under a mask so each
 * element gets the same formula wherever a range split falls.
 *
 * <p>Each activation class calls {@link #map} from its own {@code fast} with {@code this}: once
 * the JIT inlines map there, the form's exact class is known and its apply is inlined too. A
 * loop calling apply through one shared, unspecialized call site would see every activation,
 * stop inlining, and box its vectors (a kind ran 8x slower that way).
 */
public final class VectorLoop {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorLoop() {}

    public static <F extends VectorForm> void map(F form, float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            form.apply(FloatVector.fromArray(S, x, xOff + i), alpha).intoArray(y, yOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            form.apply(FloatVector.fromArray(S, x, xOff + i, m), alpha).intoArray(y, yOff + i, m);
        }
    }
}
