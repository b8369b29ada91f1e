package io.cnnc.runtime.io;

import io.cnnc.runtime.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Images (PNG, JPEG, anything ImageIO reads) as network input {@code [1, C, H, W]} with values
 * in [0, 1]. One channel takes luminance (ITU-R BT.601), three take RGB; alpha is ignored. A
 * different size is resized bilinearly as PyTorch's {@code F.interpolate(mode="bilinear",
 * align_corners=False)} does, without antialiasing.
 */
public final class ImageInput {

    private ImageInput() {}

    public static Tensor load(Path path, int channels, int height, int width) throws IOException {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("images give 1 or 3 channels, not " + channels);
        if (!Files.isRegularFile(path)) throw new FormatException(path, "no such file");
        BufferedImage image = ImageIO.read(path.toFile());
        if (image == null) throw new FormatException(path, "not an image format this runtime reads (PNG, JPEG, BMP, GIF)");
        int h = image.getHeight();
        int w = image.getWidth();
        float[] planes = new float[channels * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                float r = ((rgb >> 16) & 0xFF) / 255f;
                float g = ((rgb >> 8) & 0xFF) / 255f;
                float b = (rgb & 0xFF) / 255f;
                if (channels == 1) {
                    planes[y * w + x] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    planes[y * w + x] = r;
                    planes[h * w + y * w + x] = g;
                    planes[2 * h * w + y * w + x] = b;
                }
            }
        }
        float[] out = h == height && w == width ? planes : resizeBilinear(planes, channels, h, w, height, width);
        return Tensor.of(out, 1, channels, height, width);
    }

    /** Bilinear resize of {@code [C, h, w]} planes with half-pixel centres (align_corners=False). */
    static float[] resizeBilinear(float[] in, int channels, int h, int w, int outH, int outW) {
        float[] out = new float[channels * outH * outW];
        double sy = (double) h / outH;
        double sx = (double) w / outW;
        for (int oy = 0; oy < outH; oy++) {
            double fy = Math.max(0, (oy + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double wy = fy - y0;
            for (int ox = 0; ox < outW; ox++) {
                double fx = Math.max(0, (ox + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                double wx = fx - x0;
                for (int c = 0; c < channels; c++) {
                    int base = c * h * w;
                    double top = in[base + y0 * w + x0] * (1 - wx) + in[base + y0 * w + x1] * wx;
                    double bottom = in[base + y1 * w + x0] * (1 - wx) + in[base + y1 * w + x1] * wx;
                    out[c * outH * outW + oy * outW + ox] = (float) (top * (1 - wy) + bottom * wy);
                }
            }
        }
        return out;
    }

    /** {@code (x - mean[c]) / std[c]} per channel, as torchvision's Normalize. */
    public static Tensor normalize(Tensor t, float[] mean, float[] std) {
        int n = t.dim(0);
        int c = t.dim(1);
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
