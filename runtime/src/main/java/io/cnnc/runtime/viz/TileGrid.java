package io.cnnc.runtime.viz;

import io.cnnc.runtime.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Lays out small planes (filters, feature maps) as a grid of enlarged tiles, each scaled to its
 * own min..max so that weak and strong channels are both visible, under a title, each tile named
 * below it, and the scale drawn at the right. RGB tiles take three planes.
 */
public final class TileGrid {

    private static final int LABEL = 14;
    private static final int TITLE = 24;
    private static final int BAR = 96;

    private TileGrid() {}

    /**
     * {@code planes[t][ch]} is tile t's channel ch (1 = grey, 3 = RGB) of h*w values, named
     * {@code labels[t]}; written as a PNG with each pixel enlarged to {@code scale} x {@code scale}.
     */
    public static void write(Path file, float[][][] planes, String[] labels, int h, int w, int scale, String title) throws IOException {
        int tiles = planes.length;
        int cols = (int) Math.ceil(Math.sqrt(tiles));
        int rows = (tiles + cols - 1) / cols;
        int gap = 4;
        int cellW = Math.max(w * scale, 24) + gap, cellH = h * scale + LABEL + gap;
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 12);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
        int titleWidth = HeatMap.titleWidth(titleFont, title);
        int width = Math.max(cols * cellW + gap + BAR, titleWidth);
        BufferedImage image = new BufferedImage(width, TITLE + rows * cellH + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(titleFont);
        g.drawString(title, 4, 17);
        g.setFont(small);
        FontMetrics fm = g.getFontMetrics();
        for (int t = 0; t < tiles; t++) {
            float[][] tile = planes[t];
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float[] p : tile) for (float v : p) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            float range = max > min ? max - min : 1;
            int ox = gap + (t % cols) * cellW;
            int oy = TITLE + (t / cols) * cellH;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int[] c = new int[3];
                    for (int k = 0; k < 3; k++) c[k] = Math.round(255 * (tile[tile.length == 3 ? k : 0][y * w + x] - min) / range);
                    g.setColor(new Color(c[0], c[1], c[2]));
                    g.fillRect(ox + x * scale, oy + y * scale, scale, scale);
                }
            }
            g.setColor(Color.BLACK);
            g.drawString(labels[t], ox + (w * scale - fm.stringWidth(labels[t])) / 2, oy + h * scale + LABEL - 3);
        }
        // The scale: every tile runs from its own minimum (black) to its own maximum (white).
        int bx = cols * cellW + gap + 8, by = TITLE, bh = Math.min(rows * cellH - gap, 120);
        for (int i = 0; i < bh; i++) {
            int v = Math.round(255f * (bh - 1 - i) / Math.max(1, bh - 1));
            g.setColor(new Color(v, v, v));
            g.fillRect(bx, by + i, 12, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(bx, by, 12, bh);
        g.drawString("tile max", bx + 16, by + 9);
        g.drawString("tile min", bx + 16, by + bh);
        g.dispose();
        AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
    }
}
