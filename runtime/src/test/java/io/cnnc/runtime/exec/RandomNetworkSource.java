package io.cnnc.runtime.exec;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes a small .cnn network that is valid by construction from a list of layer choices: it
 * tracks the shape of every value it binds and picks only arguments that keep spatial sizes at
 * least 1, groups that divide both channel counts and pooling pads within half the kernel.
 * Each choice is a kind and four numbers that pick its arguments, so that jqwik shrinks a
 * failing network by dropping choices and moving numbers toward 0 (the simplest arguments).
 */
final class RandomNetworkSource {

    /** One layer (or small branch) to append: {@code kind} indexes {@link Kind}, {@code a..d} pick its arguments. */
    record Choice(int kind, int a, int b, int c, int d) {}

    enum Kind { ACTIVATION, CONV, BN, DWCONV, POOL, GLOBAL_POOL, DENSE, FLATTEN, DROPOUT, NORM, RESIDUAL, GATE, CONCAT, STAGE, UPSAMPLE }

    static final String[] ACTIVATIONS = {
        "relu", "relu6", "leakyrelu(alpha=0.2)", "sigmoid", "tanh", "gelu", "silu", "swish", "hardswish", "hardsigmoid",
        "identity", "softmax", "leakyrelu"
    };

    /** 0 keeps the input's channels; 16 and 32 are whole NCHW16c blocks, which the blocked kernels need. */
    private static final int[] CONV_CHANNELS = {0, 16, 4, 1, 2, 16, 3, 5, 6, 0, 7, 8, 32};
    private static final int MAX_CHANNELS = 48;

    private record Shape(int c, int h, int w) {
        @Override
        public String toString() {
            return "[" + c + ", " + h + ", " + w + "]";
        }
    }

    private record Bound(String name, Shape shape) {}

    private final List<String> lines = new ArrayList<>();
    private final List<Bound> bound = new ArrayList<>();

    private RandomNetworkSource() {}

    /** The network's text: input {@code [c, h, w]}, the choices in order, and the last value (plus the first, if asked) as outputs. */
    static String write(int c, int h, int w, List<Choice> choices, boolean twoOutputs) {
        RandomNetworkSource s = new RandomNetworkSource();
        s.bound.add(new Bound("x", new Shape(c, h, w)));
        // Layers that end the spatial part go last, so that the convs and pools before them see images, not [C, 1, 1].
        List<Choice> ordered = new ArrayList<>(choices);
        ordered.sort(java.util.Comparator.comparing(RandomNetworkSource::collapses));
        for (Choice choice : ordered) s.append(choice);
        StringBuilder text = new StringBuilder("network P {\n  input x: " + new Shape(c, h, w) + "\n");
        for (String line : s.lines) text.append("  ").append(line).append('\n');
        String last = s.current().name();
        String outputs = twoOutputs && s.bound.size() > 2 ? last + ", " + s.bound.get(1).name() : last;
        return text.append("  output ").append(outputs).append("\n}\n").toString();
    }

    private static boolean collapses(Choice k) {
        Kind kind = kind(k);
        return kind == Kind.DENSE || kind == Kind.FLATTEN || kind == Kind.GLOBAL_POOL;
    }

    /** Indices past the last kind are convs, the layer with the most ways to be computed. */
    private static Kind kind(Choice k) {
        return k.kind() < Kind.values().length ? Kind.values()[k.kind()] : Kind.CONV;
    }

    private Bound current() {
        return bound.getLast();
    }

    private void bind(String expression, Shape shape) {
        String name = "v" + bound.size();
        lines.add(name + " = " + expression + "    // " + shape);
        bound.add(new Bound(name, shape));
    }

    private void append(Choice k) {
        Bound in = current();
        Shape s = in.shape();
        String from = in.name() + " -> ";
        switch (kind(k)) {
            case ACTIVATION -> bind(from + ACTIVATIONS[k.a() % ACTIVATIONS.length], s);
            case CONV -> {
                int out = CONV_CHANNELS[k.a() % CONV_CHANNELS.length];
                Conv conv = conv(s, out == 0 ? s.c() : out, k.b(), k.c(), k.d());
                bind(from + conv.text() + activation(k.d() / 16), conv.shape());
            }
            case BN -> bind(from + (k.a() % 2 == 0 ? "bn" : "batchnorm(eps=1e-3)"), s);
            case DWCONV -> {
                Conv conv = depthwise(s, k.a(), k.b(), k.c(), k.d());
                bind(from + conv.text() + activation(k.d() / 16), conv.shape());
            }
            case POOL -> {
                Conv pool = pool(s, k.a(), k.b(), k.c());
                bind(from + pool.text(), pool.shape());
            }
            case GLOBAL_POOL -> {
                int size = 1 + k.b() % 3;
                String[] kinds = {"gap", "globalmaxpool", "globalavgpool", "adaptiveavgpool(" + size + ")", "adaptiveavgpool((" + size + ", 2))"};
                int which = k.a() % kinds.length;
                Shape shape = which == 3 ? new Shape(s.c(), size, size) : which == 4 ? new Shape(s.c(), size, 2) : new Shape(s.c(), 1, 1);
                bind(from + kinds[which], shape);
            }
            case DENSE -> {
                int units = 1 + k.a() % 12;
                bind(from + "dense(" + units + (k.b() % 3 == 2 ? ", bias=false" : "") + ")" + activation(k.c()), new Shape(units, 1, 1));
            }
            case FLATTEN -> {
                // A large flattened value would make the next conv's weights, not its arithmetic, the test's cost.
                int size = s.c() * s.h() * s.w();
                if (size <= 256) bind(from + "flatten", new Shape(size, 1, 1));
                else bind(from + "gap -> flatten", new Shape(s.c(), 1, 1));
            }
            case DROPOUT -> bind(from + (k.a() % 2 == 0 ? "dropout" : "dropout(p=0.1)"), s);
            case UPSAMPLE -> {
                // Small images only, so that a few in a row do not make the network's size the test's cost.
                int sh = 1 + k.a() % 3, sw = 1 + k.b() % 3;
                if (s.h() * s.w() * sh * sw > 1024) break;
                String[] modes = {"", ", mode=\"bilinear\"", ", mode=\"bilinear\", align_corners=true"};
                bind(from + "upsample(" + (sh == sw ? sh : "(" + sh + ", " + sw + ")") + modes[k.c() % 3] + ")", new Shape(s.c(), s.h() * sh, s.w() * sw));
            }
            case NORM -> {
                String[] kinds = {"scale(init=0.75)", "shift(init=0.25)", "layernorm", "layernorm(eps=1e-5)"};
                bind(from + kinds[k.a() % kinds.length], s);
            }
            case RESIDUAL -> residual(in, k);
            case GATE -> {
                // Squeeze-and-excitation: a [C, 1, 1] gate broadcast over H and W.
                String gate = in.name() + " -> gap -> conv(" + Math.max(1, s.c() / 2) + ", 1) -> relu -> conv(" + s.c() + ", 1) -> "
                        + (k.a() % 2 == 0 ? "sigmoid" : "hardsigmoid");
                bind(gate, new Shape(s.c(), 1, 1));
                bind(in.name() + " * " + current().name(), s);
            }
            case CONCAT -> concat(in, k);
            case STAGE -> {
                // Two 3x3 convs on whole NCHW16c blocks, as in a ResNet stage: the shape the blocked and Winograd kernels are for.
                int c = s.c() % 16 == 0 && s.c() <= 32 ? s.c() : 16 * (1 + k.a() % 2);
                String conv = "conv(" + c + ", 3, pad=1, bias=false) -> bn";
                bind(from + conv + " -> relu -> " + conv + activation(k.b()), new Shape(c, s.h(), s.w()));
            }
        }
    }

    /** {@code y + in} where y is an earlier value of the same shape if there is one (and {@code a} asks), else a shape-keeping conv of in. */
    private void residual(Bound in, Choice k) {
        Shape s = in.shape();
        Bound earlier = bound.stream().filter(b -> b != in && b.shape().equals(s)).findFirst().orElse(null);
        if (earlier != null && k.a() % 2 == 1) {
            bind(in.name() + " + " + earlier.name() + activation(k.b()), s);
            return;
        }
        String groups = s.c() % 2 == 0 && k.c() % 4 == 3 ? ", groups=2" : "";
        bind(in.name() + " -> conv(" + s.c() + ", 3, pad=1" + groups + ", bias=false) -> bn" + activation(k.d()), s);
        bind(current().name() + " + " + in.name() + activation(k.b()), s);
    }

    /** concat of in with a 1x1 conv of it, and with an earlier value of the same height and width or a stride-1 pool of in. */
    private void concat(Bound in, Choice k) {
        Shape s = in.shape();
        if (s.c() > MAX_CHANNELS / 2) {
            bind(in.name() + " -> conv(8, 1)", new Shape(8, s.h(), s.w()));
            return;
        }
        int branch = 1 + k.a() % 8;
        List<String> parts = new ArrayList<>(List.of(in.name(), "conv(" + branch + ", 1)" + activation(k.b())));
        int joined = s.c() + branch;
        Bound earlier = bound.stream()
                .filter(b -> b != in && b.shape().h() == s.h() && b.shape().w() == s.w() && joined + b.shape().c() <= MAX_CHANNELS)
                .findFirst().orElse(null);
        if (earlier != null && k.c() % 2 == 1) {
            parts.add(earlier.name());
        } else if (k.c() % 3 == 2) {
            parts.add((k.d() % 2 == 0 ? "maxpool" : "avgpool") + "(3, stride=1, pad=1)");
        }
        int channels = joined + (parts.size() == 3 ? (earlier != null && k.c() % 2 == 1 ? earlier.shape().c() : s.c()) : 0);
        bind("concat(" + String.join(", ", parts) + ")", new Shape(channels, s.h(), s.w()));
    }

    private static String activation(int pick) {
        int which = pick % (ACTIVATIONS.length + 3);
        return which >= ACTIVATIONS.length ? "" : " -> " + ACTIVATIONS[which];
    }

    /** A layer's text and the shape it gives. */
    private record Conv(String text, Shape shape) {}

    private static Conv conv(Shape s, int out, int b, int c, int d) {
        int kernel = new int[] {3, 1, 3, 5, 3}[b % 5];
        int stride = (b / 5) % 3 == 2 ? 2 : 1;
        int dilation = kernel > 1 && (c / 5) % 4 == 3 ? 2 : 1;
        int[] pad = pads(kernel, dilation, c % 5);
        Window window = fit(s, kernel, stride, dilation, pad);
        int g = gcd(s.c(), out);
        int groups = switch (d % 8) {
            case 6 -> g;
            case 7 -> largestDivisorAtMost(g, 2 + d % 3);
            default -> 1;
        };
        StringBuilder text = new StringBuilder("conv(" + out + ", " + window.kernel());
        if (window.stride() != 1) text.append(", stride=").append(window.stride());
        text.append(window.padText());
        if (window.dilation() != 1) text.append(", dilation=").append(window.dilation());
        if (groups != 1) text.append(", groups=").append(groups);
        if ((d / 4) % 2 == 1) text.append(", bias=false");
        return new Conv(text.append(')').toString(), new Shape(out, window.outH(s), window.outW(s)));
    }

    private static Conv depthwise(Shape s, int a, int b, int c, int d) {
        int multiplier = s.c() <= 16 ? 1 + a % 2 : 1;
        int kernel = new int[] {3, 5, 3, 1}[b % 4];
        int stride = 1 + (b / 4) % 2;
        int dilation = kernel > 1 && (c / 5) % 3 == 2 ? 2 : 1;
        Window window = fit(s, kernel, stride, dilation, pads(kernel, dilation, c % 4));
        StringBuilder text = new StringBuilder("dwconv(" + window.kernel());
        if (window.stride() != 1) text.append(", stride=").append(window.stride());
        text.append(window.padText());
        if (window.dilation() != 1) text.append(", dilation=").append(window.dilation());
        if (multiplier != 1) text.append(", multiplier=").append(multiplier);
        if ((d / 4) % 2 == 1) text.append(", bias=false");
        return new Conv(text.append(')').toString(), new Shape(s.c() * multiplier, window.outH(s), window.outW(s)));
    }

    /** Pad (top, left, bottom, right): none, half the reach ("same" at stride 1), or uneven. */
    private static int[] pads(int kernel, int dilation, int pick) {
        int half = dilation * (kernel - 1) / 2;
        return switch (pick) {
            case 1, 3 -> new int[] {half, half, half, half};
            case 2 -> new int[] {half, 0, Math.min(1, half), half};
            case 4 -> new int[] {1, 1, 1, 1};
            default -> new int[] {0, 0, 0, 0};
        };
    }

    private static Window fit(Shape s, int kernel, int stride, int dilation, int[] pad) {
        Window w = new Window(kernel, stride, dilation, pad);
        return w.outH(s) >= 1 && w.outW(s) >= 1 ? w : new Window(1, stride, 1, new int[] {0, 0, 0, 0});
    }

    /** A conv window; the output size is floor((in + pads - dilation*(kernel-1) - 1) / stride) + 1. */
    private record Window(int kernel, int stride, int dilation, int[] pad) {
        int outH(Shape s) {
            return Math.floorDiv(s.h() + pad[0] + pad[2] - dilation * (kernel - 1) - 1, stride) + 1;
        }

        int outW(Shape s) {
            return Math.floorDiv(s.w() + pad[1] + pad[3] - dilation * (kernel - 1) - 1, stride) + 1;
        }

        String padText() {
            if (pad[0] == pad[1] && pad[1] == pad[2] && pad[2] == pad[3]) return pad[0] == 0 ? "" : ", pad=" + pad[0];
            return ", pad=(" + pad[0] + ", " + pad[1] + ", " + pad[2] + ", " + pad[3] + ")";
        }
    }

    /** maxpool or avgpool with a kernel of 1 to 3, a stride of 1, 2 or the kernel, pad up to half the kernel, floor or ceil. */
    private static Conv pool(Shape s, int a, int b, int c) {
        String kind = a % 2 == 0 ? "maxpool" : "avgpool";
        int kernel = new int[] {2, 3, 1}[b % 3];
        int pad = Math.min(kernel / 2, (b / 3) % 2);
        while (kernel > 1 && Math.min(s.h(), s.w()) + 2 * pad < kernel) kernel--;
        pad = Math.min(pad, kernel / 2);
        int stride = new int[] {kernel, 1, 2}[c % 3];
        boolean ceil = (c / 3) % 2 == 1;
        StringBuilder text = new StringBuilder(kind + "(" + kernel);
        if (stride != kernel) text.append(", stride=").append(stride);
        if (pad != 0) text.append(", pad=").append(pad);
        if (ceil) text.append(", ceil=true");
        text.append(')');
        return new Conv(text.toString(), new Shape(s.c(), poolOut(s.h(), kernel, stride, pad, ceil), poolOut(s.w(), kernel, stride, pad, ceil)));
    }

    /** PyTorch's rule: with ceil the last window must still start inside the input or its left pad. */
    private static int poolOut(int in, int kernel, int stride, int pad, boolean ceil) {
        int span = in + 2 * pad - kernel;
        int out = (ceil ? Math.ceilDiv(span, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + pad) out--;
        return out;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static int largestDivisorAtMost(int n, int limit) {
        for (int d = Math.min(n, limit); d > 1; d--) if (n % d == 0) return d;
        return 1;
    }
}
