package io.cnnc.compiler.analysis;

import java.util.Locale;

/** Renders a {@link ModelSummary} as a Keras-style text table. */
public final class SummaryTable {

    private SummaryTable() {}

    public static String render(ModelSummary s) {
        int nameWidth = 24;
        for (ModelSummary.Row r : s.rows()) nameWidth = Math.max(nameWidth, r.name().length() + r.type().length() + 3);
        nameWidth = Math.min(nameWidth, 60);
        String format = "%-" + nameWidth + "s %-18s %13s %12s %13s%n";
        int width = nameWidth + 18 + 13 + 12 + 13 + 4;
        StringBuilder out = new StringBuilder();
        out.append("Model: \"").append(s.network()).append("\"");
        for (ModelSummary.Input in : s.inputs()) out.append("   input ").append(in.name()).append(": ").append(in.shape());
        out.append('\n');
        out.append("─".repeat(width)).append('\n');
        out.append(String.format(Locale.ROOT, format, "Layer (type)", "Output shape", "Param #", "MACs", "Receptive f."));
        out.append("═".repeat(width)).append('\n');
        for (ModelSummary.Row r : s.rows()) {
            out.append(String.format(Locale.ROOT, format, r.name() + " (" + r.type() + ")", r.output(),
                    grouped(r.params()), r.macs() == 0 ? "-" : human(r.macs()), r.receptiveField()));
        }
        out.append("═".repeat(width)).append('\n');
        out.append("Total params: ").append(grouped(s.params())).append(" (").append(bytes(s.params() * 4)).append(")\n");
        out.append("Buffers (not learned): ").append(grouped(s.buffers())).append('\n');
        out.append("Total MACs per sample: ").append(grouped(s.macs())).append(" (").append(human(s.macs())).append(")\n");
        return out.toString();
    }

    public static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 118.01M, 4.09G: SI prefixes, as papers report MACs. */
    public static String human(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2fG", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        if (n >= 1_000L) return String.format(Locale.ROOT, "%.2fK", n / 1e3);
        return Long.toString(n);
    }

    private static String bytes(long b) {
        if (b >= 1L << 20) return String.format(Locale.ROOT, "%.2f MiB", b / (double) (1L << 20));
        if (b >= 1L << 10) return String.format(Locale.ROOT, "%.2f KiB", b / (double) (1L << 10));
        return b + " B";
    }
}
