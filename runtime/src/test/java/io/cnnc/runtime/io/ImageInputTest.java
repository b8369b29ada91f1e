package io.cnnc.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.runtime.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images against PyTorch: src/test/fixtures/image/make_image_fixture.py made the references. */
class ImageInputTest {

    private static final Path DIR = Path.of("src/test/resources/image");

    /** 8-bit pixels / 255 in float32 on both sides; bilinear weights differ only in rounding: 1e-6 is ~10 float ulps at 1.0. */
    private static void assertClose(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        for (int i = 0; i < actual.data().length; i++) {
            assertThat(actual.data()[i]).as("element " + i).isCloseTo(expected.data()[i], org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void sameSizeIsExact() throws Exception {
        assertClose(ImageInput.load(DIR.resolve("random.png"), 3, 37, 53), Npy.read(DIR.resolve("rgb_37x53.npy")));
    }

    @Test
    void resizesLikePyTorchBilinear() throws Exception {
        assertClose(ImageInput.load(DIR.resolve("random.png"), 3, 28, 32), Npy.read(DIR.resolve("rgb_28x32.npy")));
    }

    @Test
    void grayscaleIsLuminance() throws Exception {
        assertClose(ImageInput.load(DIR.resolve("random.png"), 1, 28, 32), Npy.read(DIR.resolve("gray_28x32.npy")));
    }

    @Test
    void normalizeIsPerChannel() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 1, 2);
        Tensor n = ImageInput.normalize(t, new float[] {1, 2}, new float[] {2, 4});
        assertThat(n.data()).containsExactly(0f, 0.5f, 0.25f, 0.5f);
    }

    @Test
    void notAnImageIsAFormatError(@TempDir Path tmp) throws Exception {
        Path p = tmp.resolve("x.png");
        Files.writeString(p, "hello");
        assertThatThrownBy(() -> ImageInput.load(p, 3, 4, 4)).isInstanceOf(FormatException.class).hasMessageStartingWith(p.toString());
    }
}
