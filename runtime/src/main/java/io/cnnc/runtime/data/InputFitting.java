package io.cnnc.runtime.data;

/**
 * Makes 8-bit images fit a network's input: channels are replicated (grey to RGB) or averaged
 * by luminance (RGB to grey), and a different size is zero-padded or cropped around the
 * centre (Fashion-MNIST's 28x28 in a 32x32 ResNet-20), never resized.
 */
public final class InputFitting {

    private InputFitting() {}

    /** {@code pixels}: count images of [srcC, srcH, srcW] bytes. Returns floats in [0, 1] of [c, h, w]. */
    public static float[] fit(byte[] pixels, int count, int srcC, int srcH, int srcW, int c, int h, int w) {
        if (srcC != c && srcC != 1 && c != 1) {
            throw new IllegalArgumentException("cannot map " + srcC + " image channels onto " + c);
        }
        float[] out = new float[Math.multiplyExact(Math.multiplyExact(count, c), h * w)];
        forEachPixel(count, srcH, srcW, c, h, w, (n, ch, sy, sx, at) -> {
            double v;
            if (srcC == c) v = pixel(pixels, n, ch, sy, sx, srcC, srcH, srcW);
            else if (srcC == 1) v = pixel(pixels, n, 0, sy, sx, srcC, srcH, srcW);
            else v = 0.299 * pixel(pixels, n, 0, sy, sx, srcC, srcH, srcW) + 0.587 * pixel(pixels, n, 1, sy, sx, srcC, srcH, srcW)
                    + 0.114 * pixel(pixels, n, 2, sy, sx, srcC, srcH, srcW);
            out[at] = (float) (v / 255);
        });
        return out;
    }

    /**
     * The same fitting kept as bytes, where it only moves pixels (channels equal or grey copied
     * to each, padding and cropping): every value of {@link #fit} is then a byte over 255. Null
     * where it mixes them (RGB to grey).
     */
    public static byte[] fitPixels(byte[] pixels, int count, int srcC, int srcH, int srcW, int c, int h, int w) {
        if (srcC != c && srcC != 1) return null;
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(count, c), h * w)];
        forEachPixel(count, srcH, srcW, c, h, w,
                (n, ch, sy, sx, at) -> out[at] = pixels[((n * srcC + (srcC == c ? ch : 0)) * srcH + sy) * srcW + sx]);
        return out;
    }

    /** An output position that a source pixel lands on: image n, channel ch, source row and column, index in the output. */
    private interface Position {
        void at(int n, int ch, int sy, int sx, int index);
    }

    /** Every output position inside the source image, centred (the rest stays zero: padding). */
    private static void forEachPixel(int count, int srcH, int srcW, int c, int h, int w, Position p) {
        int top = (h - srcH) / 2;
        int left = (w - srcW) / 2;
        for (int n = 0; n < count; n++) {
            for (int y = 0; y < h; y++) {
                int sy = y - top;
                if (sy < 0 || sy >= srcH) continue;
                for (int x = 0; x < w; x++) {
                    int sx = x - left;
                    if (sx < 0 || sx >= srcW) continue;
                    for (int ch = 0; ch < c; ch++) p.at(n, ch, sy, sx, ((n * c + ch) * h + y) * w + x);
                }
            }
        }
    }

    private static int pixel(byte[] p, int n, int ch, int y, int x, int c, int h, int w) {
        return Byte.toUnsignedInt(p[((n * c + ch) * h + y) * w + x]);
    }
}
