package io.cnnc.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp and tanh on float vectors from adds, multiplies, FMAs and bit shifts only.
 *
 * <p>Not the Vector API's own EXP/TANH: those are SVML calls once C2 compiles the code and a
 * lane-by-lane Math.exp before, and the two round differently, so one input could give two
 * outputs depending on JIT warm-up (seen as in-place and out-of-place SiLU disagreeing in the
 * last bit). Every operation used here is correctly rounded IEEE arithmetic (FMA included) in
 * the interpreter and in compiled code alike, so results are reproducible.
 *
 * <p>The formulas are Cephes' expf and tanhf (S. Moshier): exp by range reduction
 * x = n ln2 + r, |r| &lt;= ln2/2, a degree-6 polynomial for e^r, and 2^n put into the exponent
 * bits; about 2 ulps over the float range. tanh is an odd polynomial below 0.625 and
 * 1 - 2/(e^(2|x|) + 1) above. NaN propagates.
 */
public final class VectorMath {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Above this e^x overflows float; below the lower bound it is under half the smallest subnormal. */
    private static final float EXP_HI = 88.72283f;
    private static final float EXP_LO = -103.972084f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;

    private VectorMath() {}

    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUNDER));
        FloatVector n = t.sub(ROUNDER);
        IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUNDER));
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
        p = p.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        // 2^n in two halves, each a normal float for n in [-150, 128], so the one rounding
        // happens in the last multiply even when the result is subnormal.
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = p.mul(s1).mul(s2);
        e = e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
        return e.blend(0f, x.compare(VectorOperators.LT, EXP_LO));
    }

    public static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = FloatVector.broadcast(S, -5.70498872745e-3f);
        p = p.fma(z, FloatVector.broadcast(S, 2.06390887954e-2f));
        p = p.fma(z, FloatVector.broadcast(S, -5.37397155531e-2f));
        p = p.fma(z, FloatVector.broadcast(S, 1.33314422036e-1f));
        p = p.fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(a.add(a)).add(1f)));
        big = big.lanewise(VectorOperators.NEG, x.compare(VectorOperators.LT, 0f));
        // NaN fails "a >= 0.625" and takes the polynomial, which keeps it NaN.
        return small.blend(big, a.compare(VectorOperators.GE, 0.625f));
    }

    /** 1 / (1 + e^-x). */
    public static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(exp(x.neg()).add(1f));
    }
}
