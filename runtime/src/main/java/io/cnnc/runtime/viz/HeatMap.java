package io.cnnc.runtime.viz;

import io.cnnc.runtime.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A map over an image (a saliency map, a Grad-CAM): the image in grey with the map blended over
 * it in a colour scale from dark blue (0) through green and yellow to red (the map's largest
 * value), a title above, and the scale drawn at the right with its ends labelled.
 */
public final class HeatMap {

    private HeatMap() {}

    /**
     * {@code image} [C, h, w] (C = 1 or 3, values scaled to its own range), {@code map} [h, w]
     * non-negative; each pixel enlarged to {@code scale} x {@code scale}.
     */
    public static void write(Path file, float[] image, int channels, int h, int w, float[] map, int scale, String title) throws IOException {
        int top = 28, bar = 70;
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 12);
        int titleWidth = titleWidth(titleFont, title);
        BufferedImage out = new BufferedImage(Math.max(w * scale + bar, titleWidth), h * scale + top + 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY, max = 0;
        for (float v : image) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        for (float v : map) max = Math.max(max, v);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float grey = 0;
                for (int c = 0; c < channels; c++) grey += (image[c * plane + y * w + x] - lo) / (hi > lo ? hi - lo : 1);
                grey /= channels;
                float t = max > 0 ? map[y * w + x] / max : 0;
                Color heat = colour(t);
                // Weak map values let the image show through; strong ones cover it.
                float a = 0.35f + 0.5f * t;
                g.setColor(new Color(mix(grey * 255, heat.getRed(), a), mix(grey * 255, heat.getGreen(), a), mix(grey * 255, heat.getBlue(), a)));
                g.fillRect(x * scale, top + y * scale, scale, scale);
            }
        }
        int bx = w * scale + 12, by = top, bh = h * scale;
        for (int i = 0; i < bh; i++) {
            g.setColor(colour(1 - (float) i / Math.max(1, bh - 1)));
            g.fillRect(bx, by + i, 14, 1);
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString(String.format(Locale.ROOT, "%.2g", max), bx + 18, by + 10);
        g.drawString("0", bx + 18, by + bh);
        g.setFont(titleFont);
        g.drawString(title, 4, 18);
        g.dispose();
        AtomicFiles.write(file, o -> ImageIO.write(out, "png", o));
    }

    /** Pixels a picture's title takes in {@code font}, with its margins: a picture is at least that wide. */
    static int titleWidth(Font font, String title) {
        return new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(font).stringWidth(title) + 8;
    }

    /** 0 dark blue, 0.33 cyan-green, 0.66 yellow, 1 red. */
    static Color colour(float t) {
        t = Math.max(0, Math.min(1, t));
        float r = Math.min(1, Math.max(0, 3 * t - 1));
        float gr = t < 0.66f ? Math.min(1, 1.5f * t + 0.1f) : Math.max(0, 1 - 3 * (t - 0.66f));
        float b = Math.max(0, 0.6f - 1.5f * t);
        return new Color(r, gr, b);
    }

    private static int mix(float base, int over, float a) {
        return Math.round(Math.max(0, Math.min(255, base * (1 - a) + over * a)));
    }
}
