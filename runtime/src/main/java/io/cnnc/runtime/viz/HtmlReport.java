package io.cnnc.runtime.viz;

import io.cnnc.compiler.analysis.ModelSummary;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.passes.InferencePipeline;
import io.cnnc.compiler.schedule.Choice;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.compiler.schedule.StrategyChooser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML page about a network (no network access: styles, the one script and
 * every picture inline): the layers as a tree of the blocks their names come from, collapsible,
 * each with its inputs, output shape, parameters, multiply-accumulates, receptive field and the
 * convolution strategy the cost model picks; a run folder's training curves; and pictures made
 * elsewhere (filters, feature maps, saliency, Grad-CAM).
 */
public final class HtmlReport {

    private final StringBuilder html = new StringBuilder();

    private HtmlReport() {}

    /** A picture to show, by title. */
    public record Picture(String title, Path png) {}

    public static String render(Graph graph, Path runDir, List<Picture> pictures) throws java.io.IOException {
        HtmlReport r = new HtmlReport();
        ModelSummary summary = ModelSummary.of(graph);
        r.html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(graph.name())).append(" - cnnc report</title>\n")
                .append("<style>body{font:14px sans-serif;margin:24px;max-width:1200px}h1{font-size:22px}h2{font-size:17px;margin-top:28px}")
                .append("details{margin-left:18px}summary{cursor:pointer;font-weight:bold}.node{margin:2px 0 2px 18px;padding:3px 6px;border-left:3px solid #4a7;")
                .append("background:#f4f8f5;font-family:monospace;font-size:12px}.node .t{color:#05a;font-weight:bold}.m{color:#555}")
                .append("table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}img{border:1px solid #ccc;margin:4px}")
                .append("</style></head><body>\n");
        r.html.append("<h1>").append(esc(graph.name())).append("</h1>\n<p>").append(String.format(Locale.ROOT,
                "%d layers, %,d parameters, %,d multiply-accumulates per sample; input %s.", summary.rows().size(), summary.params(), summary.macs(),
                summary.inputs().isEmpty() ? "-" : summary.inputs().getFirst().shape())).append("</p>\n");
        r.graph(graph, summary);
        if (runDir != null) r.curves(runDir);
        if (!pictures.isEmpty()) {
            r.html.append("<h2>Pictures</h2>\n");
            for (Picture p : pictures) {
                r.html.append("<figure><img alt=\"").append(esc(p.title())).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(Files.readAllBytes(p.png()))).append("\"><figcaption>").append(esc(p.title()))
                        .append("</figcaption></figure>\n");
            }
        }
        r.html.append("<script>function all(open){document.querySelectorAll('details').forEach(d=>d.open=open)}</script>\n</body></html>\n");
        return r.html.toString();
    }

    /** The layers grouped by the blocks in their names (layer1.0.conv1: block layer1, then 0), in graph order. */
    private void graph(Graph graph, ModelSummary summary) {
        Map<String, String> strategies = strategies(graph);
        html.append("<h2>Layers</h2>\n<p><button onclick=\"all(true)\">expand all</button> <button onclick=\"all(false)\">collapse all</button>")
                .append(" Each layer: its inputs, output shape, parameters, multiply-accumulates, receptive field and, for convolutions, the")
                .append(" strategy the cost model picks on this machine.</p>\n<div id=\"graph\">\n");
        List<String> open = new ArrayList<>();
        for (ModelSummary.Row row : summary.rows()) {
            String[] parts = row.name().split("\\.");
            List<String> scopes = List.of(parts).subList(0, parts.length - 1);
            int common = 0;
            while (common < open.size() && common < scopes.size() && open.get(common).equals(scopes.get(common))) common++;
            while (open.size() > common) {
                html.append("</details>\n");
                open.removeLast();
            }
            for (int i = common; i < scopes.size(); i++) {
                html.append("<details open><summary>").append(esc(String.join(".", scopes.subList(0, i + 1)))).append("</summary>\n");
                open.add(scopes.get(i));
            }
            String strategy = strategies.get(row.name());
            html.append("<div class=\"node\"><span class=\"t\">").append(esc(row.name())).append("</span> ").append(esc(row.type()))
                    .append(" <span class=\"m\">&larr; ").append(esc(String.join(", ", row.inputs()))).append(" &rarr; ").append(esc(row.output().toString()))
                    .append(String.format(Locale.ROOT, "; %,d params; %,d MACs; RF %dx%d", row.params(), row.macs(), row.receptiveField().h(),
                            row.receptiveField().w()))
                    .append(strategy == null ? "" : "; " + esc(strategy)).append("</span></div>\n");
        }
        while (!open.isEmpty()) {
            html.append("</details>\n");
            open.removeLast();
        }
        html.append("</div>\n");
    }

    /** The cost model's strategy per source conv, on one thread per core of this machine. */
    private static Map<String, String> strategies(Graph graph) {
        Map<String, String> out = new HashMap<>();
        try {
            Graph optimized = InferencePipeline.standard().apply(graph);
            Map<Node, Choice> choices = new StrategyChooser(Machine.detect(), Runtime.getRuntime().availableProcessors(), name -> true).choose(optimized);
            choices.forEach((n, c) -> out.put(((FusedConvOp) n.op()).convName(), "strategy " + c.strategy()));
        } catch (RuntimeException e) {
            // A network the inference passes cannot take (a training-only layer) is still reported, without strategies.
        }
        return out;
    }

    /** Loss and accuracy against epochs from {@code runDir}/metrics.csv, as two inline SVG charts. */
    private void curves(Path runDir) throws java.io.IOException {
        Path csv = runDir.resolve("metrics.csv");
        if (!Files.isRegularFile(csv)) throw new IllegalArgumentException(runDir + " has no metrics.csv (a folder cnnc train wrote)");
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.getFirst().split(","));
        Map<String, List<Double>> columns = new LinkedHashMap<>();
        for (String h : header) columns.put(h, new ArrayList<>());
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",");
            for (int i = 0; i < header.size() && i < v.length; i++) columns.get(header.get(i)).add(v[i].isEmpty() ? Double.NaN : Double.parseDouble(v[i]));
        }
        html.append("<h2>Training (").append(esc(runDir.toString())).append(")</h2>\n");
        chart("loss", "cross-entropy", columns.get("epoch"), Map.of("train", columns.get("train_loss"), "test", columns.get("test_loss")));
        chart("accuracy", "fraction right", columns.get("epoch"), Map.of("train", columns.get("train_accuracy"), "test", columns.get("test_accuracy")));
    }

    private void chart(String title, String yLabel, List<Double> xs, Map<String, List<Double>> series) {
        int w = 520, h = 260, left = 56, bottom = 36, top = 24, right = 90;
        double xMin = xs.stream().mapToDouble(d -> d).min().orElse(0), xMax = xs.stream().mapToDouble(d -> d).max().orElse(1);
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (List<Double> s : series.values()) {
            for (double v : s) {
                if (Double.isNaN(v)) continue;
                yMin = Math.min(yMin, v);
                yMax = Math.max(yMax, v);
            }
        }
        if (!(yMax > yMin)) {
            yMin = Double.isFinite(yMin) ? yMin - 1 : 0;
            yMax = yMin + 2;
        }
        if (!(xMax > xMin)) xMax = xMin + 1;
        html.append(String.format(Locale.ROOT, "<svg class=\"chart\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">", w, h, title));
        html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-weight=\"bold\">%s</text>", left, title));
        html.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>", left, h - bottom, w - right, h - bottom));
        html.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>", left, top, left, h - bottom));
        html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch</text>", (left + w - right) / 2, h - 4));
        html.append(String.format(Locale.ROOT, "<text transform=\"translate(12,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>", (top + h - bottom) / 2, yLabel));
        for (int i = 0; i <= 4; i++) {
            double v = yMin + (yMax - yMin) * i / 4;
            double y = h - bottom - (h - bottom - top) * i / 4.0;
            html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%.3g</text>", left - 4, y + 4, v));
            double xv = xMin + (xMax - xMin) * i / 4;
            double x = left + (w - right - left) * i / 4.0;
            html.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%.3g</text>", x, h - bottom + 14, xv));
        }
        String[] colours = {"#c33", "#36c"};
        int k = 0;
        for (Map.Entry<String, List<Double>> s : new java.util.TreeMap<>(series).entrySet()) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < xs.size() && i < s.getValue().size(); i++) {
                double v = s.getValue().get(i);
                if (Double.isNaN(v)) continue;
                double x = left + (w - right - left) * (xs.get(i) - xMin) / (xMax - xMin);
                double y = h - bottom - (h - bottom - top) * (v - yMin) / (yMax - yMin);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            html.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>", colours[k % 2], points.toString().strip()));
            html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>", w - right + 8, top + 14 + 16 * k, colours[k % 2], s.getKey()));
            k++;
        }
        html.append("</svg>\n");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
