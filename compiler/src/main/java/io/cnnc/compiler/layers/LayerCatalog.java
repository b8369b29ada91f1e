package io.cnnc.compiler.layers;

import static io.cnnc.compiler.layers.ArgSpec.optional;
import static io.cnnc.compiler.layers.ArgSpec.required;

import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.lower.ConstValue.*;
import io.cnnc.compiler.ops.*;
import io.cnnc.kernels.ActivationKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every layer of the language (docs/language.md, "Layers"): its names, arguments, and how it becomes an op. */
public final class LayerCatalog {

    /** Builds the op for bound arguments and the input shape; may refuse with a ShapeException. */
    @FunctionalInterface
    public interface Factory {
        Op create(BoundArgs args, Shape input) throws ShapeException;
    }

    public record LayerDef(String name, List<ArgSpec> signature, Factory factory) {}

    private static final Map<String, LayerDef> LAYERS = new LinkedHashMap<>();
    /** How ONNX nodes become these layers, from the ops' definitions, in the order the importer tries them. */
    private static final Set<OnnxImportRule> ONNX_IMPORTS = new LinkedHashSet<>();

    private static final IntValue ONE = new IntValue(1);
    private static final IntValue ZERO = new IntValue(0);
    private static final BoolValue TRUE = new BoolValue(true);
    private static final BoolValue FALSE = new BoolValue(false);
    /** Stands for "defaults to the kernel size" in pooling's stride. */
    private static final SymbolValue KERNEL = new SymbolValue("kernel");

    static {
        define("conv", List.of(required("out", ArgType.INT, 1), required("kernel", ArgType.PAIR, 1),
                optional("stride", ArgType.PAIR, ONE, 1), optional("pad", ArgType.PADDING, ZERO, 0),
                optional("dilation", ArgType.PAIR, ONE, 1), optional("groups", ArgType.INT, ONE, 1),
                optional("bias", ArgType.BOOL, TRUE, 0)),
                (a, in) -> conv("conv", a.integer("out"), a, in, a.integer("groups")), ConvOp.ONNX_IMPORT, ConvOp.ONNX_IMPORT_CHANNELS_LAST);
        define("dwconv", List.of(required("kernel", ArgType.PAIR, 1),
                optional("stride", ArgType.PAIR, ONE, 1), optional("pad", ArgType.PADDING, ZERO, 0),
                optional("dilation", ArgType.PAIR, ONE, 1), optional("multiplier", ArgType.INT, ONE, 1),
                optional("bias", ArgType.BOOL, TRUE, 0)),
                (a, in) -> conv("dwconv", Math.multiplyExact(in.c(), a.integer("multiplier")), a, in, in.c()));
        define("deconv", List.of(required("out", ArgType.INT, 1), required("kernel", ArgType.PAIR, 1),
                optional("stride", ArgType.PAIR, ONE, 1), optional("pad", ArgType.PADDING, ZERO, 0),
                optional("output_pad", ArgType.PAIR, ZERO, 0), optional("dilation", ArgType.PAIR, ONE, 1),
                optional("groups", ArgType.INT, ONE, 1), optional("bias", ArgType.BOOL, TRUE, 0)), (a, in) -> deconv(a), DeconvOp.ONNX_IMPORT);
        define("dense", List.of(required("units", ArgType.INT, 1), optional("bias", ArgType.BOOL, TRUE, 0)),
                (a, in) -> new DenseOp(a.integer("units"), a.bool("bias")), DenseOp.ONNX_IMPORT);
        List<ArgSpec> bn = List.of(optional("eps", ArgType.FLOAT, new FloatValue(1e-5), Double.MIN_VALUE),
                optional("momentum", ArgType.FLOAT, new FloatValue(0.1), 0));
        define("bn", bn, (a, in) -> new BatchNormOp(a.number("eps"), a.number("momentum")), BatchNormOp.ONNX_IMPORT);
        alias("batchnorm", "bn");
        define("layernorm", List.of(optional("eps", ArgType.FLOAT, new FloatValue(1e-6), Double.MIN_VALUE)),
                (a, in) -> new LayerNormOp(a.number("eps")), LayerNormOp.ONNX_IMPORT, LayerNormOp.ONNX_IMPORT_TRANSPOSE);
        define("groupnorm", List.of(required("groups", ArgType.INT, 1), optional("eps", ArgType.FLOAT, new FloatValue(1e-5), Double.MIN_VALUE),
                optional("affine", ArgType.BOOL, TRUE, 0)), (a, in) -> new GroupNormOp("groupnorm", a.integer("groups"), a.number("eps"), a.bool("affine")),
                GroupNormOp.ONNX_IMPORT, GroupNormOp.ONNX_IMPORT_RESHAPE);
        define("instancenorm", List.of(optional("eps", ArgType.FLOAT, new FloatValue(1e-5), Double.MIN_VALUE), optional("affine", ArgType.BOOL, FALSE, 0)),
                (a, in) -> new GroupNormOp("instancenorm", 0, a.number("eps"), a.bool("affine")));
        define("scale", List.of(optional("init", ArgType.FLOAT, new FloatValue(1.0), -Double.MAX_VALUE)),
                (a, in) -> new ScaleOp(a.number("init")), ScaleOp.ONNX_IMPORT);
        define("shift", List.of(optional("init", ArgType.FLOAT, new FloatValue(0.0), -Double.MAX_VALUE)),
                (a, in) -> new ShiftOp(a.number("init")), ShiftOp.ONNX_IMPORT, ShiftOp.ONNX_IMPORT_CHANNELS_LAST);
        List<ArgSpec> pool = List.of(required("kernel", ArgType.PAIR, 1), optional("stride", ArgType.PAIR, KERNEL, 1),
                optional("pad", ArgType.PAIR, ZERO, 0), optional("ceil", ArgType.BOOL, FALSE, 0));
        define("maxpool", pool, (a, in) -> pool(PoolOp.Kind.MAX, a), PoolOp.ONNX_IMPORT);
        define("avgpool", pool, (a, in) -> pool(PoolOp.Kind.AVG, a), PoolOp.ONNX_IMPORT);
        define("gap", List.of(), (a, in) -> new GlobalPoolOp(PoolOp.Kind.AVG), GlobalPoolOp.ONNX_IMPORT, GlobalPoolOp.ONNX_IMPORT_REDUCE);
        alias("globalavgpool", "gap");
        define("globalmaxpool", List.of(), (a, in) -> new GlobalPoolOp(PoolOp.Kind.MAX), GlobalPoolOp.ONNX_IMPORT);
        define("adaptiveavgpool", List.of(required("size", ArgType.PAIR, 1)), (a, in) -> {
            int[] size = a.pair("size");
            return new AdaptiveAvgPoolOp(size[0], size[1]);
        });
        for (ActivationKind kind : ActivationKind.values()) activation(kind);
        ONNX_IMPORTS.add(ActivationOp.ONNX_IMPORT);
        alias("swish", "silu");
        define("softmax", List.of(), (a, in) -> new SoftmaxOp(), SoftmaxOp.ONNX_IMPORT);
        define("flatten", List.of(), (a, in) -> new FlattenOp(), FlattenOp.ONNX_IMPORT);
        define("dropout", List.of(optional("p", ArgType.FLOAT, new FloatValue(0.5), 0)), (a, in) -> {
            if (a.number("p") >= 1) throw new ShapeException("dropout p must be below 1, got " + a.number("p"));
            return new DropoutOp(a.number("p"));
        });
        define("channelshuffle", List.of(required("groups", ArgType.INT, 1)), (a, in) -> new ChannelShuffleOp(a.integer("groups")),
                ChannelShuffleOp.ONNX_IMPORT_RESHAPE, ChannelShuffleOp.ONNX_IMPORT_TRANSPOSE);
        define("slice", List.of(required("start", ArgType.INT, 0), required("end", ArgType.INT, 1)), (a, in) -> {
            if (a.integer("end") <= a.integer("start")) {
                throw new ShapeException("start must be below end, got " + a.integer("start") + " and " + a.integer("end"));
            }
            return new SliceOp(a.integer("start"), a.integer("end"));
        }, SliceOp.ONNX_IMPORT, SliceOp.ONNX_IMPORT_SPLIT);
        define("upsample", List.of(required("scale", ArgType.PAIR, 1), optional("mode", ArgType.STRING, new StringValue("nearest"), 0),
                optional("align_corners", ArgType.BOOL, FALSE, 0)), (a, in) -> upsample(a), UpsampleOp.ONNX_IMPORT);
        // The ops written as expressions (a + b, a * b, concat(a, b)) rather than layers.
        ONNX_IMPORTS.addAll(List.of(AddOp.ONNX_IMPORT, MulOp.ONNX_IMPORT, ConcatOp.ONNX_IMPORT));
        checkOneTotalRulePerType();
    }

    private LayerCatalog() {}

    public static LayerDef find(String name) {
        return LAYERS.get(name);
    }

    private static void define(String name, List<ArgSpec> signature, Factory factory, OnnxImportRule... onnx) {
        LAYERS.put(name, new LayerDef(name, signature, factory));
        ONNX_IMPORTS.addAll(List.of(onnx));
    }

    /** The ONNX import rules of every layer's op, pattern rules before total ones (OnnxImportRule). */
    public static List<OnnxImportRule> onnxImports() {
        return ONNX_IMPORTS.stream().sorted(java.util.Comparator.comparing(OnnxImportRule::total)).toList();
    }

    /** Two ops that both take every node of one ONNX type would make the import depend on registration order. */
    private static void checkOneTotalRulePerType() {
        Set<String> taken = new java.util.HashSet<>();
        for (OnnxImportRule r : ONNX_IMPORTS) {
            if (!r.total()) continue;
            for (String type : r.opTypes()) {
                if (!taken.add(type)) throw new IllegalStateException("two ops' ONNX import rules take every " + type + " node");
            }
        }
    }

    private static void alias(String alias, String target) {
        LAYERS.put(alias, LAYERS.get(target));
    }

    /** Each activation under its definition's name; alpha, where it takes one, defaults to 0.01 as in PyTorch. */
    private static void activation(ActivationKind kind) {
        if (kind.definition().takesAlpha()) {
            define(kind.definition().name(), List.of(optional("alpha", ArgType.FLOAT, new FloatValue(0.01), -Double.MAX_VALUE)),
                    (a, in) -> new ActivationOp(kind, a.number("alpha")));
        } else {
            define(kind.definition().name(), List.of(), (a, in) -> new ActivationOp(kind, 0));
        }
    }

    private static DeconvOp deconv(BoundArgs a) throws ShapeException {
        int[] k = a.pair("kernel");
        int[] s = a.pair("stride");
        int[] d = a.pair("dilation");
        int[] o = a.pair("output_pad");
        int[] p = a.padding("pad");
        if (p == null) throw new ShapeException("pad=\"same\" is for conv; give deconv its padding as numbers, as PyTorch's ConvTranspose2d takes");
        if (o[0] >= Math.max(s[0], d[0]) || o[1] >= Math.max(s[1], d[1])) {
            throw new ShapeException("output_pad must be smaller than the stride or the dilation, got " + o[0] + "x" + o[1]);
        }
        return new DeconvOp(a.integer("out"), k[0], k[1], s[0], s[1], p[0], p[1], p[2], p[3], o[0], o[1], d[0], d[1], a.integer("groups"),
                a.bool("bias"));
    }

    private static ConvOp conv(String type, int out, BoundArgs a, Shape in, int groups) throws ShapeException {
        int[] k = a.pair("kernel");
        int[] s = a.pair("stride");
        int[] d = a.pair("dilation");
        int[] p = a.padding("pad");
        int[] h = p == null ? samePadding(in.h(), k[0], s[0], d[0]) : new int[] {p[0], p[2]};
        int[] w = p == null ? samePadding(in.w(), k[1], s[1], d[1]) : new int[] {p[1], p[3]};
        return new ConvOp(type, out, k[0], k[1], s[0], s[1], h[0], w[0], h[1], w[1], d[0], d[1], groups, a.bool("bias"));
    }

    /**
     * "same" keeps the size at stride 1 (PyTorch) and gives ceil(in/stride) beyond it
     * (TensorFlow); an odd total puts the extra row/column at the bottom/right, as both do.
     */
    static int[] samePadding(int in, int kernel, int stride, int dilation) {
        long outSize = (in + (long) stride - 1) / stride;
        long total = Math.max(0, (outSize - 1) * stride + (long) dilation * (kernel - 1) + 1 - in);
        int before = (int) (total / 2);
        return new int[] {before, (int) (total - before)};
    }

    private static PoolOp pool(PoolOp.Kind kind, BoundArgs a) throws ShapeException {
        int[] k = a.pair("kernel");
        int[] s = a.values().get("stride") instanceof SymbolValue ? k : a.pair("stride");
        int[] p = a.pair("pad");
        if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
            throw new ShapeException("pad " + p[0] + "x" + p[1] + " must be at most half the kernel "
                    + k[0] + "x" + k[1] + " (as in PyTorch)");
        }
        return new PoolOp(kind, k[0], k[1], s[0], s[1], p[0], p[1], p[0], p[1], a.bool("ceil"));
    }

    /** PyTorch's nn.Upsample; like PyTorch, align_corners=true is refused for nearest, which has no corners to align. */
    private static UpsampleOp upsample(BoundArgs a) throws ShapeException {
        int[] s = a.pair("scale");
        String word = ((StringValue) a.values().get("mode")).value();
        UpsampleOp.Mode mode = switch (word) {
            case "nearest" -> UpsampleOp.Mode.NEAREST;
            case "bilinear" -> UpsampleOp.Mode.BILINEAR;
            default -> throw new ShapeException("mode must be \"nearest\" or \"bilinear\", got \"" + word + "\"");
        };
        if (a.bool("align_corners") && mode != UpsampleOp.Mode.BILINEAR) {
            throw new ShapeException("align_corners=true needs mode=\"bilinear\" (as in PyTorch, nearest has no corners to align)");
        }
        return new UpsampleOp(s[0], s[1], mode, a.bool("align_corners"));
    }

    /** Names a user can write, for suggestions. */
    public static List<String> allNames() {
        return new ArrayList<>(LAYERS.keySet());
    }
}
