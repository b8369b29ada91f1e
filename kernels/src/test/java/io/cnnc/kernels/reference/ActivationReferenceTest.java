package io.cnnc.kernels.reference;

import static io.cnnc.kernels.ActivationKind.GELU;
import static io.cnnc.kernels.ActivationKind.HARDSWISH;
import static io.cnnc.kernels.ActivationKind.IDENTITY;
import static io.cnnc.kernels.ActivationKind.LEAKY_RELU;
import static io.cnnc.kernels.ActivationKind.RELU;
import static io.cnnc.kernels.ActivationKind.RELU6;
import static io.cnnc.kernels.ActivationKind.SIGMOID;
import static io.cnnc.kernels.ActivationKind.SILU;
import static io.cnnc.kernels.ActivationKind.TANH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.kernels.ActivationKind;
import org.junit.jupiter.api.Test;

/**
 * Activations at points where the value is known in closed form or from tables; in double, so
 * 1e-15 (a few ulps of O(1) values) unless stated.
 */
class ActivationReferenceTest {

    private static final double ULPS = 1e-15;

    private static double f(ActivationKind kind, double v) {
        return ActivationReference.apply(kind, 0.1, v);
    }

    @Test
    void piecewiseLinearKindsAtTheirCorners() {
        assertThat(f(RELU, -2)).isEqualTo(0);
        assertThat(f(RELU, 3)).isEqualTo(3);
        assertThat(f(RELU6, -1)).isEqualTo(0);
        assertThat(f(RELU6, 5.5)).isEqualTo(5.5);
        assertThat(f(RELU6, 7)).isEqualTo(6);
        assertThat(f(LEAKY_RELU, -2)).isCloseTo(-0.2, within(ULPS));
        assertThat(f(LEAKY_RELU, 2)).isEqualTo(2);
        assertThat(ActivationReference.apply(LEAKY_RELU, 0.01, -100)).isCloseTo(-1, within(ULPS));
        assertThat(f(IDENTITY, -7.25)).isEqualTo(-7.25);
    }

    @Test
    void hardswishAtItsCorners() {
        // x * relu6(x + 3) / 6: 0 at and below -3, x above 3, and in between -1 -> -1*2/6, 1 -> 1*4/6.
        assertThat(f(HARDSWISH, -4)).isEqualTo(0);
        assertThat(f(HARDSWISH, -3)).isEqualTo(0);
        assertThat(f(HARDSWISH, -1)).isCloseTo(-1.0 / 3, within(ULPS));
        assertThat(f(HARDSWISH, 0)).isEqualTo(0);
        assertThat(f(HARDSWISH, 1)).isCloseTo(4.0 / 6, within(ULPS));
        assertThat(f(HARDSWISH, 3)).isEqualTo(3);
        assertThat(f(HARDSWISH, 10)).isEqualTo(10);
    }

    @Test
    void sigmoidTanhSiluAtClosedFormPoints() {
        // sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4; tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5; silu(x) = x sigmoid(x).
        double ln3 = Math.log(3), ln2 = Math.log(2);
        assertThat(f(SIGMOID, 0)).isEqualTo(0.5);
        assertThat(f(SIGMOID, ln3)).isCloseTo(0.75, within(ULPS));
        assertThat(f(SIGMOID, -ln3)).isCloseTo(0.25, within(ULPS));
        assertThat(f(TANH, ln2)).isCloseTo(0.6, within(ULPS));
        assertThat(f(SILU, ln3)).isCloseTo(0.75 * ln3, within(ULPS));
        assertThat(f(SILU, 0)).isEqualTo(0);
    }

    @Test
    void geluIsXTimesTheNormalCdf() {
        // gelu(x) = x * Phi(x); Phi from standard normal tables (17 digits): Phi(1) = 0.84134474606854295,
        // Phi(2) = 0.97724986805182079, Phi(0.5) = 0.69146246127401310, Phi(3) = 0.99865010196836991.
        assertThat(f(GELU, 0)).isEqualTo(0);
        assertThat(f(GELU, 1)).isCloseTo(0.84134474606854295, within(ULPS));
        assertThat(f(GELU, -1)).isCloseTo(-(1 - 0.84134474606854295), within(ULPS));
        assertThat(f(GELU, 2)).isCloseTo(2 * 0.97724986805182079, within(ULPS));
        assertThat(f(GELU, 0.5)).isCloseTo(0.5 * 0.69146246127401310, within(ULPS));
        assertThat(f(GELU, -3)).isCloseTo(-3 * (1 - 0.99865010196836991), within(ULPS));
        // Not the tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) at 1 is 0.84119199,
        // 1.5e-4 away, far outside the tolerance above.
        assertThat(Math.abs(f(GELU, 1) - 0.8411919906082768)).isGreaterThan(1e-4);
    }

    @Test
    void oddPartsAreTheIdentity() {
        // Phi(x) + Phi(-x) = 1 and sigmoid(x) + sigmoid(-x) = 1 give gelu(x) - gelu(-x) = x and
        // silu(x) - silu(-x) = x for every x; hardswish does the same on [-3, 3]:
        // x(x+3)/6 + x(3-x)/6 = x. An identity that does not depend on how erf is computed.
        for (double x = -3; x <= 3; x += 0.125) {
            assertThat(f(GELU, x) - f(GELU, -x)).as("gelu at %s", x).isCloseTo(x, within(4 * ULPS));
            assertThat(f(SILU, x) - f(SILU, -x)).as("silu at %s", x).isCloseTo(x, within(4 * ULPS));
            assertThat(f(HARDSWISH, x) - f(HARDSWISH, -x)).as("hardswish at %s", x).isCloseTo(x, within(4 * ULPS));
        }
    }

    @Test
    void extremesStayFiniteAndSaturate() {
        assertThat(f(SIGMOID, -1000)).isEqualTo(0);
        assertThat(f(SIGMOID, 1000)).isEqualTo(1);
        assertThat(f(SILU, -1000)).isEqualTo(0);
        assertThat(f(SILU, 1000)).isEqualTo(1000);
        assertThat(f(GELU, -40)).isEqualTo(0);
        assertThat(f(GELU, 40)).isEqualTo(40);
        assertThat(f(TANH, -1000)).isEqualTo(-1);
    }

    @Test
    void nanPropagatesThroughEveryKind() {
        // As in PyTorch: a NaN input must not come out as a plausible number (relu giving 0, say).
        for (ActivationKind kind : ActivationKind.values()) assertThat(f(kind, Double.NaN)).as("%s", kind).isNaN();
    }

    @Test
    void arrayFormRoundsOnceAndMayWorkInPlace() {
        float[] x = {-2, -0.5f, 0, 0.5f, 2};
        float[] y = new float[5];
        ActivationReference.forward(GELU, 0, x, y);
        for (int i = 0; i < 5; i++) assertThat(y[i]).isEqualTo((float) f(GELU, x[i]));
        ActivationReference.forward(GELU, 0, x, x);
        assertThat(x).containsExactly(y);
        float[] z = {-2, 3};
        ActivationReference.forward(LEAKY_RELU, 0.25, z, z);
        assertThat(z).containsExactly(-0.5f, 3f);
    }
}
