package io.cnnc.runtime.train;

import io.cnnc.runtime.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Per-epoch metrics: a CSV (rewritten whole, atomically) and a PNG of the loss and accuracy curves. */
public final class MetricsLog {

    public static final String HEADER = "epoch,lr,train_loss,train_accuracy,test_loss,test_accuracy,images_per_second,seconds";

    public record Row(int epoch, double lr, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                      double imagesPerSecond, double seconds) {
        String csv() {
            return String.format(Locale.ROOT, "%d,%.6g,%.6f,%.6f,%.6f,%.6f,%.1f,%.2f", epoch, lr, trainLoss, trainAccuracy,
                    testLoss, testAccuracy, imagesPerSecond, seconds);
        }
    }

    private final Path csv;
    private final Path png;
    private final List<Row> rows = new ArrayList<>();

    public MetricsLog(Path csv, Path png) {
        this.csv = csv;
        this.png = png;
    }

    /** On resume: keeps the rows of epochs before {@code epoch}. */
    public void reload(int epochsDone) throws IOException {
        if (!Files.isRegularFile(csv)) return;
        for (String line : Files.readAllLines(csv).stream().skip(1).toList()) {
            String[] f = line.split(",");
            if (f.length < 8 || Integer.parseInt(f[0]) > epochsDone) continue;
            rows.add(new Row(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7])));
        }
    }

    public void add(Row row) throws IOException {
        rows.add(row);
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (Row r : rows) text.append(r.csv()).append('\n');
        AtomicFiles.write(csv, out -> out.write(text.toString().getBytes(StandardCharsets.UTF_8)));
        plot();
    }

    private void plot() throws IOException {
        double[] epochs = rows.stream().mapToDouble(Row::epoch).toArray();
        XYChart loss = new XYChartBuilder().width(900).height(360).title("loss").xAxisTitle("epoch").yAxisTitle("cross-entropy").build();
        loss.addSeries("train", epochs, rows.stream().mapToDouble(Row::trainLoss).toArray());
        loss.addSeries("test", epochs, rows.stream().mapToDouble(Row::testLoss).toArray());
        XYChart accuracy = new XYChartBuilder().width(900).height(360).title("accuracy").xAxisTitle("epoch").yAxisTitle("%").build();
        accuracy.addSeries("train", epochs, rows.stream().mapToDouble(r -> 100 * r.trainAccuracy()).toArray());
        accuracy.addSeries("test", epochs, rows.stream().mapToDouble(r -> 100 * r.testAccuracy()).toArray());
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(900, 720, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        loss.paint(g, 900, 360);
        g.translate(0, 360);
        accuracy.paint(g, 900, 360);
        g.dispose();
        AtomicFiles.write(png, out -> javax.imageio.ImageIO.write(image, "png", out));
    }

    public List<Row> rows() {
        return rows;
    }

}
