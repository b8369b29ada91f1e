package io.cnnc.runtime.io;

import io.cnnc.runtime.Tensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Images as network input {@code [1, C, H, W]} with values in [0, 1].
 *
 * <p>PNG and JPEG (also BMP and GIF, first frame) are decoded with {@code javax.imageio}. Pixel
 * values are divided by 255 (by 65535 for 16-bit PNGs). C = 3 gives R, G, B planes; C = 1 gives
 * luminance {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601) in float32, not rounded to 8 bits;
 * a grayscale image gives its gray values as they are (and the same value three times for C = 3).
 * Alpha is ignored (colors are taken as stored, not composited). Samples are read as stored,
 * without color management, as PIL and torchvision do. EXIF orientation is not applied.
 *
 * <p>An image of another size is resized bilinearly exactly as PyTorch's
 * {@code F.interpolate(x, size=(H, W), mode="bilinear", align_corners=False, antialias=False)}
 * computes it (float32, half-pixel centres, no antialiasing, so strong downscaling aliases as it
 * does in PyTorch).
 */
public final class ImageInput {

    /** Images with more pixels than this (about 134 million, e.g. 16384 x 8192) are refused before decoding. */
    public static final long MAX_PIXELS = 1L << 27;

    /**
     * Heap a decoded pixel can take at the peak of {@link #load}: the decoder's raster (up to 8 bytes
     * for 16-bit RGBA) plus the float bands and planes (4 bytes each, 3 + 3 channels), and room for
     * the decoder's own buffers and the rest of the program.
     */
    static final int BYTES_PER_PIXEL = 40;

    private static final Set<String> FORMATS = Set.of("png", "jpeg", "bmp", "gif");

    private ImageInput() {}

    public static Tensor load(Path path, int channels, int height, int width) throws IOException {
        return loadSized(path, channels, height, width).tensor();
    }

    /** An image as loaded, and the size it had in the file (so a caller can say it was resized). */
    public record Loaded(Tensor tensor, int fileWidth, int fileHeight) {
        public boolean resized() {
            return fileHeight != tensor.dim(2) || fileWidth != tensor.dim(3);
        }
    }

    /** As {@link #load}, with the file's own size. */
    public static Loaded loadSized(Path path, int channels, int height, int width) throws IOException {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("images give 1 or 3 channels, not " + channels);
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("image size must be positive, not " + height + "x" + width);
        if ((long) channels * height * width > Tensor.MAX_ELEMENTS) {
            throw new IllegalArgumentException("input " + channels + "x" + height + "x" + width + " is too large");
        }
        BufferedImage image = decode(path);
        int h = image.getHeight();
        int w = image.getWidth();
        try {
            float[] planes = planes(image, channels);
            float[] out = h == height && w == width ? planes : resizeBilinear(planes, channels, h, w, height, width);
            return new Loaded(Tensor.of(out, 1, channels, height, width), w, h);
        } catch (OutOfMemoryError e) { // the estimate of BYTES_PER_PIXEL fell short: still the image's problem, said so
            throw outOfMemory(path, e);
        }
    }

    private static BufferedImage decode(Path path) throws IOException {
        if (!Files.exists(path)) throw new FormatException(path, "no such file");
        if (!Files.isRegularFile(path)) throw new FormatException(path, "is not a file");
        if (!Files.isReadable(path)) throw new FormatException(path, "permission denied");
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            if (in == null) throw new FormatException(path, "cannot be opened");
            ImageReader reader = null;
            String found = null;
            for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
                ImageReader candidate = it.next();
                String format = candidate.getFormatName().toLowerCase(Locale.ROOT);
                if (FORMATS.contains(format)) {
                    reader = candidate;
                    break;
                }
                found = longestName(candidate, format);
                candidate.dispose();
            }
            if (reader == null) {
                throw new FormatException(path, (found == null ? "not an image" : "a " + found.toUpperCase(Locale.ROOT) + " image")
                        + "; cnnc reads PNG and JPEG (and BMP, GIF)");
            }
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                checkPixels(path, w, h, HeapLimit.max());
                BufferedImage image = reader.read(0);
                if (image.getWidth() <= 0 || image.getHeight() <= 0) throw new FormatException(path, "image is empty");
                return image;
            } catch (FormatException e) {
                throw e;
            } catch (OutOfMemoryError e) {
                throw outOfMemory(path, e);
            } catch (IOException | RuntimeException e) { // IIOException; some readers throw unchecked on corrupt data
                if (e.getCause() instanceof OutOfMemoryError oom) throw outOfMemory(path, oom);
                throw new FormatException(path, "cannot decode the " + reader.getFormatName().toUpperCase(Locale.ROOT)
                        + " image (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * Refuses, from the header's size alone, an image of more than {@link #MAX_PIXELS} or of more
     * than the heap can decode at {@link #BYTES_PER_PIXEL}, so a huge image fails at once and says
     * why instead of decoding for seconds and running out of memory.
     */
    static void checkPixels(Path path, int w, int h, long maxHeap) throws FormatException {
        long pixels = (long) w * h;
        if (pixels > MAX_PIXELS) {
            throw new FormatException(path, "image is " + w + "x" + h + " pixels, more than the " + MAX_PIXELS
                    + " (2^27) cnnc decodes; downscale it first");
        }
        long limit = maxHeap / BYTES_PER_PIXEL;
        if (pixels > limit) {
            throw new FormatException(path, "image is " + w + "x" + h + " pixels; decoding it takes about "
                    + HeapLimit.size(pixels * BYTES_PER_PIXEL) + " of memory (" + BYTES_PER_PIXEL + " bytes a pixel), more than the Java heap of "
                    + HeapLimit.size(maxHeap) + " allows (at most " + limit + " pixels); downscale the image first"
                    + " or give the JVM more heap (e.g. CNNC_JAVA_OPTS=-Xmx" + ((pixels * BYTES_PER_PIXEL >> 30) + 2) + "g)");
        }
    }

    private static FormatException outOfMemory(Path path, OutOfMemoryError e) {
        return new FormatException(path, "ran out of memory decoding the image (Java heap " + HeapLimit.size(HeapLimit.max())
                + "); downscale it first or give the JVM more heap (CNNC_JAVA_OPTS=-Xmx...)", e);
    }

    /** "TIFF" rather than "tif": the longest of the reader's format names. */
    private static String longestName(ImageReader reader, String fallback) {
        String best = fallback;
        if (reader.getOriginatingProvider() != null) {
            for (String name : reader.getOriginatingProvider().getFormatNames()) {
                if (name.length() > best.length()) best = name;
            }
        }
        return best;
    }

    /** The image as {@code [C, h, w]} float planes in [0, 1]. */
    static float[] planes(BufferedImage image, int channels) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        float[] out = new float[channels * plane];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int[] row = new int[w];
        if (storedSamples(cm, raster)) {
            // Gray and RGB samples read as stored. (getRGB would pass gray through Java's linear-gray
            // color space and brighten it: gray 64 would become 137.)
            boolean gray = cm.getNumColorComponents() == 1;
            float[][] bands = new float[gray ? 1 : 3][];
            for (int b = 0; b < bands.length; b++) {
                bands[b] = new float[plane];
                float max = (float) ((1L << cm.getComponentSize(b)) - 1);
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, b, row);
                    for (int x = 0; x < w; x++) bands[b][y * w + x] = row[x] / max;
                }
            }
            if (gray) {
                for (int c = 0; c < channels; c++) System.arraycopy(bands[0], 0, out, c * plane, plane);
            } else if (channels == 3) {
                for (int c = 0; c < 3; c++) System.arraycopy(bands[c], 0, out, c * plane, plane);
            } else {
                for (int i = 0; i < plane; i++) out[i] = luminance(bands[0][i], bands[1][i], bands[2][i]);
            }
            return out;
        }
        // Palette and packed images: 8-bit sRGB through the color model.
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int rgb = row[x];
                float r = ((rgb >> 16) & 0xFF) / 255f;
                float g = ((rgb >> 8) & 0xFF) / 255f;
                float b = (rgb & 0xFF) / 255f;
                int i = y * w + x;
                if (channels == 1) {
                    out[i] = luminance(r, g, b);
                } else {
                    out[i] = r;
                    out[plane + i] = g;
                    out[2 * plane + i] = b;
                }
            }
        }
        return out;
    }

    /** Whether the raster holds gray or sRGB integer samples directly (bands in color model order). */
    private static boolean storedSamples(ColorModel cm, Raster raster) {
        if (!(cm instanceof ComponentColorModel)) return false;
        int type = raster.getDataBuffer().getDataType();
        if (type != DataBuffer.TYPE_BYTE && type != DataBuffer.TYPE_USHORT) return false;
        ColorSpace cs = cm.getColorSpace();
        int colors = cm.getNumColorComponents();
        boolean gray = cs.getType() == ColorSpace.TYPE_GRAY && colors == 1;
        boolean rgb = cs.isCS_sRGB() && colors == 3;
        if (!gray && !rgb) return false;
        for (int b = 0; b < colors; b++) {
            if (cm.getComponentSize(b) > 16) return false;
        }
        return true;
    }

    /** ITU-R BT.601 luma, in float32 and in this order (as the PyTorch reference computes it). */
    private static float luminance(float r, float g, float b) {
        return 0.299f * r + 0.587f * g + 0.114f * b;
    }

    /**
     * Bilinear resize of {@code [C, h, w]} planes as PyTorch's CPU kernel for
     * {@code align_corners=False}: source coordinate {@code (dst + 0.5) * in/out - 0.5}, clamped at
     * 0; the right/bottom neighbour is clamped to the edge; rows interpolated first, then the two
     * rows, in float32.
     */
    static float[] resizeBilinear(float[] in, int channels, int h, int w, int outH, int outW) {
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        float[] ly0 = new float[outH];
        float[] ly1 = new float[outH];
        weights(h, outH, y0, y1, ly0, ly1);
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] lx0 = new float[outW];
        float[] lx1 = new float[outW];
        weights(w, outW, x0, x1, lx0, lx1);
        float[] out = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            int base = c * h * w;
            int outBase = c * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                int top = base + y0[oy] * w;
                int bottom = base + y1[oy] * w;
                for (int ox = 0; ox < outW; ox++) {
                    float t = lx0[ox] * in[top + x0[ox]] + lx1[ox] * in[top + x1[ox]];
                    float b = lx0[ox] * in[bottom + x0[ox]] + lx1[ox] * in[bottom + x1[ox]];
                    out[outBase + oy * outW + ox] = ly0[oy] * t + ly1[oy] * b;
                }
            }
        }
        return out;
    }

    /**
     * Source indices and weights along one axis. As in PyTorch's CPU kernel, the scale is a float
     * ({@code (float) in / out}) while the source coordinate is computed in double (its CPU
     * accumulation type) and only the weights are rounded to float: with an exact scale or a
     * float coordinate, results would drift from PyTorch by up to ~scale * out * 2^-24.
     */
    private static void weights(int in, int out, int[] i0, int[] i1, float[] l0, float[] l1) {
        float scale = (float) in / out;
        for (int d = 0; d < out; d++) {
            double src = scale * (d + 0.5) - 0.5;
            if (src < 0) src = 0;
            int i = Math.min((int) src, in - 1);
            i0[d] = i;
            i1[d] = i < in - 1 ? i + 1 : i;
            l1[d] = (float) (src - i);
            l0[d] = 1f - l1[d];
        }
    }

    /**
     * {@code (x - mean[c]) / std[c]} for each channel c of an {@code [N, C, H, W]} tensor, as
     * torchvision's {@code Normalize}; returns a new tensor.
     */
    public static Tensor normalize(Tensor t, float[] mean, float[] std) {
        if (t.rank() != 4) throw new IllegalArgumentException("normalize expects [N, C, H, W], not " + t.shapeString());
        int n = t.dim(0);
        int c = t.dim(1);
        if (mean.length != c || std.length != c) {
            throw new IllegalArgumentException("normalize needs " + c + " means and stds, got " + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s != 0 && Float.isFinite(s))) throw new IllegalArgumentException("std must be finite and non-zero, not " + s);
        }
        int plane = t.dim(2) * t.dim(3);
        float[] in = t.data();
        float[] out = new float[in.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (b * c + ch) * plane;
                for (int i = 0; i < plane; i++) out[base + i] = (in[base + i] - mean[ch]) / std[ch];
            }
        }
        return Tensor.of(out, t.shape());
    }
}
