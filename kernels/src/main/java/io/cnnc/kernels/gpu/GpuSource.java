package io.cnnc.kernels.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPU kernel library as one program text: a dialect's prelude, the shared helpers, then
 * every kernel file (resources under io/cnnc/kernels/gpu). One program holds every kernel so a
 * device compiles it once per process (and drivers that cache builds, like PoCL, once per
 * machine), whatever layers a network has.
 */
public final class GpuSource {

    /** Kernel files in the order they are concatenated; later files may use earlier helpers. */
    static final List<String> FILES = List.of("common.h", "conv_direct.cl", "conv_gemm.cl", "gemm.cl", "winograd.cl",
            "conv_depthwise.cl", "pool.cl", "dense.cl", "elementwise.cl", "norm.cl", "backward.cl");

    private static final Pattern KERNEL = Pattern.compile("^KERNEL\\s+(\\w+)\\s*\\(", Pattern.MULTILINE);

    private GpuSource() {}

    public static String program(Dialect dialect) {
        StringBuilder sb = new StringBuilder();
        sb.append("/* cnnc GPU kernels, ").append(dialect.name().toLowerCase(java.util.Locale.ROOT))
                .append(" dialect. Generated from the resources in io/cnnc/kernels/gpu: do not edit. */\n");
        for (String f : concat(dialect.prelude(), FILES)) {
            sb.append("\n/* ---- ").append(f).append(" ---- */\n").append(resource(f));
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
