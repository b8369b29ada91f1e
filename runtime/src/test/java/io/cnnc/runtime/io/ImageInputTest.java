package io.cnnc.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Images against PIL and PyTorch: src/test/fixtures/io/make_io_fixtures.py wrote the images
 * (PIL) and the expected inputs (pixels / 255 in float32, BT.601 luminance and
 * F.interpolate(mode="bilinear", align_corners=False) in PyTorch).
 */
class ImageInputTest {

    private static final Path DIR = Path.of("src/test/resources/io/image");

    /**
     * Tolerance for resized images: the indices and weights are PyTorch's to the bit, but the
     * three multiply-adds per value may round differently (PyTorch's build may fuse them, and its
     * one-channel kernel sums the four products in another order). Each rounding is at most half
     * an ulp of a value below 1 (6e-8); measured worst case 1 ulp (1.2e-7). A float32 source
     * coordinate instead of a double one would be off by up to 1e-5 on the 701-wide case.
     */
    private static final float RESIZE_TOLERANCE = 2.5e-7f;

    private static float maxDifference(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        float max = 0;
        for (int i = 0; i < actual.data().length; i++) max = Math.max(max, Math.abs(actual.data()[i] - expected.data()[i]));
        return max;
    }

    private static Tensor load(String image, int c, int h, int w) throws Exception {
        return ImageInput.load(DIR.resolve(image), c, h, w);
    }

    private static Tensor expected(String npy) throws Exception {
        return Npy.read(DIR.resolve(npy));
    }

    @ParameterizedTest(name = "{0} as {1}x{2}x{3}")
    @CsvSource({
        // Same size: one correctly rounded float32 division (or luminance in PyTorch's order) on both sides, so exact.
        "rgb_37x53.png,     3, 37, 53, rgb_37x53.npy",
        "rgba_37x53.png,    3, 37, 53, rgb_37x53.npy", // alpha ignored
        "rgb_37x53.png,     1, 37, 53, gray_37x53.npy",
        "gray8_19x23.png,   1, 19, 23, gray8_19x23.npy",
        "gray16_19x23.png,  1, 19, 23, gray16_19x23.npy",
        "palette_19x23.png, 3, 19, 23, palette_19x23.npy",
        "palette_19x23.gif, 3, 19, 23, palette_19x23.npy",
        "rgb_37x53.bmp,     3, 37, 53, rgb_37x53.npy",
    })
    void sameSizeIsExact(String image, int c, int h, int w, String npy) throws Exception {
        Tensor actual = load(image, c, h, w);
        assertThat(actual.data()).containsExactly(expected(npy).data());
    }

    @ParameterizedTest(name = "{0} as {1}x{2}x{3}")
    @CsvSource({
        "rgb_37x53.png,   3, 28, 32,  rgb_down_28x32.npy",
        "rgb_37x53.png,   3, 50, 70,  rgb_up_50x70.npy",
        "rgb_37x53.png,   3, 20, 90,  rgb_mixed_20x90.npy",
        "rgba_37x53.png,  3, 20, 90,  rgb_mixed_20x90.npy",
        "rgb_37x53.png,   1, 28, 32,  gray_down_28x32.npy",
        "gray8_4x300.png, 1, 3,  701, gray_wide_3x701.npy",
    })
    void resizesLikePyTorchBilinear(String image, int c, int h, int w, String npy) throws Exception {
        assertThat(maxDifference(load(image, c, h, w), expected(npy))).isLessThanOrEqualTo(RESIZE_TOLERANCE);
    }

    @Test
    void grayImagesAreNotColorConverted() throws Exception {
        // Java's getRGB would brighten gray through its linear-gray color space (64 -> 137).
        Tensor gray = load("gray8_19x23.png", 1, 19, 23);
        Tensor asRgb = load("gray8_19x23.png", 3, 19, 23);
        int plane = 19 * 23;
        for (int c = 0; c < 3; c++) {
            assertThat(Arrays.copyOfRange(asRgb.data(), c * plane, (c + 1) * plane)).containsExactly(gray.data());
        }
    }

    @Test
    void jpegDecodesLikeLibjpeg() throws Exception {
        // PIL decodes with libjpeg(-turbo), Java with its own IJG-derived decoder; both use the
        // same integer IDCT and upsampling, measured identical. Allow one 8-bit level for
        // decoder differences across JDK builds.
        assertThat(maxDifference(load("photo_32x40.jpg", 3, 32, 40), expected("photo_32x40.npy"))).isLessThanOrEqualTo(1.001f / 255);
    }

    @Test
    void valuesAreInTheUnitInterval() throws Exception {
        for (float v : load("rgb_37x53.png", 3, 64, 64).data()) assertThat(v).isBetween(0f, 1f);
    }

    @Test
    void otherFormatsAndNonImagesAreFormatErrors(@TempDir Path tmp) throws Exception {
        Path tif = DIR.resolve("gray8_19x23.tif");
        assertThatThrownBy(() -> ImageInput.load(tif, 1, 19, 23)).isInstanceOf(FormatException.class)
                .hasMessage(tif + ": a TIFF image; cnnc reads PNG and JPEG (and BMP, GIF)");
        Path text = tmp.resolve("x.png");
        Files.writeString(text, "hello, not a picture");
        assertThatThrownBy(() -> ImageInput.load(text, 3, 4, 4)).isInstanceOf(FormatException.class)
                .hasMessage(text + ": not an image; cnnc reads PNG and JPEG (and BMP, GIF)");
        Path missing = tmp.resolve("missing.png");
        assertThatThrownBy(() -> ImageInput.load(missing, 3, 4, 4)).isInstanceOf(FormatException.class).hasMessage(missing + ": no such file");
        assertThatThrownBy(() -> ImageInput.load(tmp, 3, 4, 4)).isInstanceOf(FormatException.class).hasMessage(tmp + ": is not a file");
    }

    /** A PNG of only its signature and header chunk: enough for the size, nothing to decode. */
    private static Path pngHeader(Path dir, int width, int height) throws Exception {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put(new byte[] {8, 2, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        Path p = dir.resolve(width + "x" + height + ".png");
        Files.write(p, png.array());
        return p;
    }

    @Test
    void imagesOverThePixelLimitAreRefusedFromTheirHeader(@TempDir Path tmp) throws Exception {
        Path huge = pngHeader(tmp, 16385, 8192);
        assertThatThrownBy(() -> ImageInput.load(huge, 3, 32, 32)).isInstanceOf(FormatException.class)
                .hasMessage(huge + ": image is 16385x8192 pixels, more than the 134217728 (2^27) cnnc decodes; downscale it first");
    }

    @Test
    void imagesTheHeapCannotDecodeAreRefusedBeforeDecoding() throws Exception {
        Path p = Path.of("big.png");
        // 11585^2 is just under 2^27 pixels; decoding it takes about 5 GiB, so a 1 GiB heap cannot.
        assertThatThrownBy(() -> ImageInput.checkPixels(p, 11585, 11585, 1L << 30)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": image is 11585x11585 pixels; decoding it takes about 5.0 GiB of memory (40 bytes a pixel),"
                        + " more than the Java heap of 1.0 GiB allows (at most 26843545 pixels); downscale the image first"
                        + " or give the JVM more heap (e.g. CNNC_JAVA_OPTS=-Xmx6g)");
        ImageInput.checkPixels(p, 5181, 5181, 1L << 30);   // 26.8 million pixels fit
    }

    @Test
    void truncatedPngIsAFormatError(@TempDir Path tmp) throws Exception {
        byte[] png = Files.readAllBytes(DIR.resolve("rgb_37x53.png"));
        Path cut = tmp.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> ImageInput.load(cut, 3, 37, 53)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(cut + ": cannot decode the PNG image");
    }

    @Test
    void normalizeIsPerChannel() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 1, 2);
        Tensor n = ImageInput.normalize(t, new float[] {1, 2}, new float[] {2, 4});
        assertThat(n.shape()).containsExactly(2, 2, 1, 2);
        assertThat(n.data()).containsExactly(0f, 0.5f, 0.25f, 0.5f, 2f, 2.5f, 1.25f, 1.5f);
        assertThat(t.data()[0]).as("input unchanged").isEqualTo(1f);
        assertThatThrownBy(() -> ImageInput.normalize(t, new float[] {0}, new float[] {1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageInput.normalize(t, new float[] {0, 0}, new float[] {1, 0})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageInput.normalize(Tensor.zeros(2, 2), new float[] {0, 0}, new float[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void argumentsAreChecked() {
        Path p = DIR.resolve("rgb_37x53.png");
        assertThatThrownBy(() -> ImageInput.load(p, 2, 4, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageInput.load(p, 3, 0, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
