package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Upsample's reference and backward against PyTorch (cases written by
 * src/test/fixtures/make_upsample_fixtures.py), its backward against finite differences and the
 * fast forward against the reference.
 */
class UpsampleTest {

    private static final String ROOT = "/fixtures/upsample/";

    /**
     * Each output is a convex combination of at most four inputs: PyTorch rounds each product and
     * sum in float (a few ulps of max|x|), we in double once; 1e-6 relative is far below the 1e-2
     * an indexing slip gives. Gradients sum up to s*s (here 9) such terms in float: 1e-5.
     */
    @TestFactory
    Stream<DynamicTest> referenceAndBackwardMatchPyTorch() {
        String[] cases = new String(bytes(ROOT + "cases.txt"), StandardCharsets.UTF_8).lines().filter(s -> !s.isBlank()).toArray(String[]::new);
        assertThat(cases).hasSize(10);
        return Arrays.stream(cases).map(name -> DynamicTest.dynamicTest(name, () -> {
            Properties p = new Properties();
            p.load(new java.io.ByteArrayInputStream(bytes(ROOT + name + "/case.properties")));
            Npy x = npy(name, "x");
            int[] s = x.shape();
            int sh = Integer.parseInt(p.getProperty("scaleH")), sw = Integer.parseInt(p.getProperty("scaleW"));
            boolean bilinear = p.getProperty("mode").equals("bilinear");
            boolean align = Boolean.parseBoolean(p.getProperty("alignCorners"));
            float[] y = new float[s[0] * s[1] * s[2] * sh * s[3] * sw];
            Upsample.reference(x.data(), s[0] * s[1], s[2], s[3], sh, sw, bilinear, align, y);
            assertClose(y, npy(name, "y").data(), 1e-6);
            float[] dx = new float[x.data().length];
            Upsample.backward(npy(name, "dy").data(), s[0] * s[1], s[2], s[3], sh, sw, bilinear, align, dx);
            assertClose(dx, npy(name, "dx").data(), 1e-5);
        }));
    }

    /** The forward is linear in x, so a central difference of sum(dy * y) is exact up to rounding. */
    @Test
    void backwardMatchesFiniteDifferences() {
        Random r = new Random(5);
        for (boolean bilinear : new boolean[] {false, true}) {
            for (boolean align : bilinear ? new boolean[] {false, true} : new boolean[] {false}) {
                int planes = 2, h = 3, w = 4, sh = 3, sw = 2;
                float[] x = random(r, planes * h * w), dy = random(r, planes * h * sh * w * sw);
                float[] dx = new float[x.length];
                Upsample.backward(dy, planes, h, w, sh, sw, bilinear, align, dx);
                for (int i = 0; i < x.length; i++) {
                    float keep = x[i];
                    x[i] = keep + 0.5f;
                    double plus = loss(x, dy, planes, h, w, sh, sw, bilinear, align);
                    x[i] = keep - 0.5f;
                    double minus = loss(x, dy, planes, h, w, sh, sw, bilinear, align);
                    x[i] = keep;
                    assertThat(dx[i]).as("bilinear=%s align=%s i=%d", bilinear, align, i).isCloseTo((float) (plus - minus), org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }

    /**
     * Nearest copies, so it must be bit for bit. Bilinear's fast form is float with fmas against a
     * double reference: the four-term convex combination is off by a few float roundings of
     * max|x| (measured: 4.8e-7, one ulp, with |y| up to 4.8); 2e-6 absolute is 4x that and still
     * far below the 1e-2 a wrong index or weight gives.
     */
    @Test
    void fastForwardMatchesReference() {
        Random r = new Random(9);
        for (int trial = 0; trial < 60; trial++) {
            int planes = 1 + r.nextInt(5), h = 1 + r.nextInt(9), w = 1 + r.nextInt(40), sh = 1 + r.nextInt(4), sw = 1 + r.nextInt(4);
            boolean bilinear = r.nextBoolean(), align = bilinear && r.nextBoolean();
            float[] x = random(r, planes * h * w);
            float[] want = new float[planes * h * sh * w * sw];
            Upsample.reference(x, planes, h, w, sh, sw, bilinear, align, want);
            for (int threads : new int[] {1, 3}) {
                float[] got = new float[want.length];
                Upsample.forward(x, planes, h, w, sh, sw, bilinear, align, got, Parallel.of(threads));
                String what = "planes=%d %dx%d scale %dx%d bilinear=%s align=%s threads=%d".formatted(planes, h, w, sh, sw, bilinear, align, threads);
                if (bilinear) {
                    for (int i = 0; i < want.length; i++) assertThat(got[i]).as(what).isCloseTo(want[i], org.assertj.core.data.Offset.offset(2e-6f));
                } else {
                    assertThat(got).as(what).containsExactly(want);
                }
            }
        }
    }

    private static double loss(float[] x, float[] dy, int planes, int h, int w, int sh, int sw, boolean bilinear, boolean align) {
        float[] y = new float[dy.length];
        Upsample.reference(x, planes, h, w, sh, sw, bilinear, align, y);
        double s = 0;
        for (int i = 0; i < y.length; i++) s += (double) dy[i] * y[i];
        return s;
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * 1.3);
        return a;
    }

    private static void assertClose(float[] got, float[] want, double relative) {
        assertThat(got).hasSameSizeAs(want);
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("index %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(relative * (1 + scale)));
        }
    }

    private static Npy npy(String name, String tensor) {
        return Npy.parse(bytes(ROOT + name + "/" + tensor + ".npy"));
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = UpsampleTest.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
