package io.cnnc.kernels.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPU kernel library as one program text: a dialect's prelude, the shared helpers, then
 * every kernel file (resources under io/cnnc/kernels/gpu). One program holds every kernel so a
 * device compiles it once per process (and drivers that cache builds, like PoCL, once per
 * machine), whatever layers a network has. A resource's comment line that starts with
 * {@code @generated: NAME} is replaced by the text {@link #GENERATED} gives for NAME (the
 * activations, written from one Java table).
 */
public final class GpuSource {

    /** Kernel files in the order they are concatenated; later files may use earlier helpers. */
    static final List<String> FILES = List.of("common.h", "conv_direct.cl", "conv_gemm.cl", "gemm.cl", "winograd.cl",
            "conv_depthwise.cl", "pool.cl", "dense.cl", "elementwise.cl", "norm.cl", "backward.cl");

    /** The generated parts of the program, by the name their marker line gives. */
    static final Map<String, Supplier<String>> GENERATED = Map.of("activation_codes", GpuActivationSource::codes,
            "activate", GpuActivationSource::forward, "activate_grad", GpuActivationSource::derivative);

    private static final Pattern MARKER = Pattern.compile("^/\\* @generated: (\\w+)\\b.*\\*/$", Pattern.MULTILINE);

    private static final Pattern KERNEL = Pattern.compile("^KERNEL\\s+(\\w+)\\s*\\(", Pattern.MULTILINE);

    private GpuSource() {}

    public static String program(Dialect dialect) {
        StringBuilder sb = new StringBuilder();
        sb.append("/* cnnc GPU kernels, ").append(dialect.name().toLowerCase(java.util.Locale.ROOT))
                .append(" dialect. Generated from the resources in io/cnnc/kernels/gpu: do not edit. */\n");
        for (String f : concat(dialect.prelude(), FILES)) {
            sb.append("\n/* ---- ").append(f).append(" ---- */\n").append(fillMarkers(f, resource(f)));
        }
        return sb.toString();
    }

    /** Every kernel entry point, in program order. */
    public static List<String> kernelNames() {
        List<String> out = new ArrayList<>();
        Matcher m = KERNEL.matcher(program(Dialect.OPENCL));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    static String fillMarkers(String file, String text) {
        Matcher m = MARKER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Supplier<String> part = GENERATED.get(m.group(1));
            if (part == null) throw new IllegalStateException("kernel resource " + file + " asks for generated part '" + m.group(1)
                    + "', which GpuSource does not know (it knows " + new TreeSet<>(GENERATED.keySet()) + ")");
            m.appendReplacement(sb, Matcher.quoteReplacement(part.get().stripTrailing()));
        }
        return m.appendTail(sb).toString();
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> out = new ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return out;
    }

    static String resource(String name) {
        try (InputStream in = GpuSource.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("kernel resource io/cnnc/kernels/gpu/" + name + " is missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
