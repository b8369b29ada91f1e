package io.cnnc.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Images kept as bytes read as the very floats the float fitting gives (Fashion-MNIST's 28x28
 * grey padded into 32x32 RGB, CIFAR's RGB cropped, the same size), and a fitting that mixes
 * channels (RGB to grey) is not kept as bytes.
 */
class InputFittingTest {

    /** srcC, srcH, srcW, c, h, w. */
    @ParameterizedTest
    @CsvSource({"1, 28, 28, 3, 32, 32", "3, 32, 32, 3, 28, 30", "1, 7, 7, 1, 7, 7", "3, 5, 6, 3, 9, 4"})
    void bytesReadAsTheFloats(int srcC, int srcH, int srcW, int c, int h, int w) {
        int count = 3;
        byte[] raw = new byte[count * srcC * srcH * srcW];
        new Random(srcH * 7 + w).nextBytes(raw);
        int[] labels = {0, 1, 2};
        Dataset floats = new Dataset("f", InputFitting.fit(raw, count, srcC, srcH, srcW, c, h, w), labels, c, h, w, 10);
        Dataset bytes = Dataset.ofPixels("b", InputFitting.fitPixels(raw, count, srcC, srcH, srcW, c, h, w), labels, c, h, w, 10);
        float[] a = new float[count * c * h * w];
        float[] b = new float[a.length];
        for (int n = 0; n < count; n++) {
            floats.copySample(n, a, n * c * h * w);
            bytes.copySample(n, b, n * c * h * w);
        }
        assertThat(b).containsExactly(a);
        for (int i = 0; i < a.length; i += 7) assertThat(bytes.value(i)).isEqualTo(floats.value(i));
        assertThat(bytes.head(2).value(2 * c * h * w - 1)).isEqualTo(floats.value(2 * c * h * w - 1));
    }

    @ParameterizedTest
    @CsvSource({"3, 1"})
    void mixingChannelsIsNotKeptAsBytes(int srcC, int c) {
        assertThat(InputFitting.fitPixels(new byte[srcC * 4], 1, srcC, 2, 2, c, 2, 2)).isNull();
    }
}
