package io.cnnc.runtime.viz;

import io.cnnc.runtime.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Lays out small planes (filters, feature maps) as a grid of enlarged tiles, each scaled to its
 * own min..max so that weak and strong channels are both visible. RGB tiles take three planes.
 */
public final class TileGrid {

    private TileGrid() {}

    /**
     * {@code planes[t][ch]} is tile t's channel ch (1 = grey, 3 = RGB) of h*w values; written as a PNG
     * with each pixel enlarged to {@code scale} x {@code scale}.
     */
    public static void write(Path file, float[][][] planes, int h, int w, int scale) throws IOException {
        int tiles = planes.length;
        int cols = (int) Math.ceil(Math.sqrt(tiles));
        int rows = (tiles + cols - 1) / cols;
        int gap = 2;
        BufferedImage image = new BufferedImage(cols * (w * scale + gap) + gap, rows * (h * scale + gap) + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int t = 0; t < tiles; t++) {
            float[][] tile = planes[t];
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float[] p : tile) for (float v : p) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            float range = max > min ? max - min : 1;
            int ox = gap + (t % cols) * (w * scale + gap);
            int oy = gap + (t / cols) * (h * scale + gap);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int[] c = new int[3];
                    for (int k = 0; k < 3; k++) c[k] = Math.round(255 * (tile[tile.length == 3 ? k : 0][y * w + x] - min) / range);
                    g.setColor(new Color(c[0], c[1], c[2]));
                    g.fillRect(ox + x * scale, oy + y * scale, scale, scale);
                }
            }
        }
        g.dispose();
        AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
    }
}
