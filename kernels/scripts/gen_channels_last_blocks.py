#!/usr/bin/env python3
# Writes kernels/src/main/java/io/cnnc/kernels/cpu/conv/ChannelsLastBlocks.java (run from the
# checkout root): the register blocks of ChannelsLastWeightGradient, straight-line so that C2
# keeps every sum in a register (FloatVector values in an array are boxed). Two families:
# rows4xV, 4 output channels by V channel vectors for one tap; rows4x1Taps3, 4 output channels
# by one channel vector by a row's three taps, the input vectors slid along the row (or, at a
# stride, rows4x1Taps3Strided, the three loaded per pixel).

OUT = "kernels/src/main/java/io/cnnc/kernels/cpu/conv/ChannelsLastBlocks.java"
ROWS = 4


def off(*terms):
    """'at + 2 * cp' from ("at", (2, "cp")): zero terms dropped, factor 1 kept as written."""
    parts = [terms[0]]
    for k, name in terms[1:]:
        if k:
            parts.append("%s%s" % ("" if k == 1 and name == "tapStride" else "%d * " % k, name))
    return " + ".join(parts)


def loop_head():
    """Samples of the chunk, output rows, then the row's pixels: d indexes dy, xi the input."""
    return ["        for (int s = 0; s < count; s++) {",
            "            for (int oy = 0; oy < outH; oy++) {",
            "                int d = dyAt[s] + dOff + oy * outW * pixelStep;",
            "                int xi = s * sampleFloats + xOff + oy * rowStep;"]


def per_tap(v):
    o = []
    o.append("    /** %d output channels by %d channel vector%s for one tap, over a chunk's samples and pixels. */" % (ROWS, v, "s" if v > 1 else ""))
    o.append("    static void rows4x%d(float[] dy, int[] dyAt, int dOff, int count, int outH, int outW, int channelStep, int pixelStep, float[] xs, int sampleFloats, int rowStep, int colStep, int xOff, float[] acc, int at, int cp) {" % v)
    for r in range(ROWS):
        o.append("        " + " ".join("FloatVector c%d%d = FloatVector.fromArray(S, acc, %s);" % (r, j, off("at", (r, "cp"), (j, "L"))) for j in range(v)))
    o += loop_head() + ["                for (int ox = 0; ox < outW; ox++, d += pixelStep, xi += colStep) {"]
    for j in range(v):
        o.append("                    FloatVector b%d = FloatVector.fromArray(S, xs, %s);" % (j, off("xi", (j, "L"))))
    for r in range(ROWS):
        o.append("                    FloatVector a%d = FloatVector.broadcast(S, dy[%s]);" % (r, off("d", (r, "channelStep"))))
        for j in range(v):
            o.append("                    c%d%d = b%d.fma(a%d, c%d%d);" % (r, j, j, r, r, j))
    o += ["                }", "            }", "        }"]
    for r in range(ROWS):
        o.append("        " + " ".join("c%d%d.intoArray(acc, %s);" % (r, j, off("at", (r, "cp"), (j, "L"))) for j in range(v)))
    o.append("    }")
    return o


def taps3(strided):
    """rows4x1Taps3: the row's input vectors slid along (stride 1); rows4x1Taps3Strided: the three loaded per pixel."""
    o = ["    /**"]
    if strided:
        o.append("     * %d output channels by 1 channel vector by a row's 3 taps at a stride over 1: the three input" % ROWS)
        o.append("     * vectors loaded per pixel ({@code colStep} apart from pixel to pixel, {@code cp} from tap to tap).")
    else:
        o.append("     * %d output channels by 1 channel vector by a row's 3 taps (stride 1), the input's vectors slid" % ROWS)
        o.append("     * along the row: one new load per pixel.")
    o.append("     */")
    o.append("    static void rows4x1Taps3%s(float[] dy, int[] dyAt, int dOff, int count, int outH, int outW, int channelStep, int pixelStep, float[] xs, int sampleFloats, int rowStep, %sint xOff, float[] acc, int at, int tapStride, int cp) {"
             % ("Strided" if strided else "", "int colStep, " if strided else ""))
    for k in range(3):
        for r in range(ROWS):
            o.append("        FloatVector c%d%d0 = FloatVector.fromArray(S, acc, %s);" % (r, k, off("at", (k, "tapStride"), (r, "cp"))))
    o += loop_head()
    if strided:
        o += ["                for (int ox = 0; ox < outW; ox++, d += pixelStep, xi += colStep) {",
              "                    FloatVector p0 = FloatVector.fromArray(S, xs, xi);",
              "                    FloatVector q0 = FloatVector.fromArray(S, xs, xi + cp);",
              "                    FloatVector n0 = FloatVector.fromArray(S, xs, xi + 2 * cp);"]
    else:
        o += ["                FloatVector p0 = FloatVector.fromArray(S, xs, xi);",
              "                FloatVector q0 = FloatVector.fromArray(S, xs, xi + cp);",
              "                for (int ox = 0; ox < outW; ox++, d += pixelStep) {",
              "                    xi += cp;",
              "                    FloatVector n0 = FloatVector.fromArray(S, xs, xi + cp);"]
    for r in range(ROWS):
        o.append("                    FloatVector a%d = FloatVector.broadcast(S, dy[%s]);" % (r, off("d", (r, "channelStep"))))
        o.append("                    c%d00 = p0.fma(a%d, c%d00);" % (r, r, r))
        o.append("                    c%d10 = q0.fma(a%d, c%d10);" % (r, r, r))
        o.append("                    c%d20 = n0.fma(a%d, c%d20);" % (r, r, r))
    if not strided:
        o += ["                    p0 = q0;", "                    q0 = n0;"]
    o += ["                }", "            }", "        }"]
    for k in range(3):
        for r in range(ROWS):
            o.append("        c%d%d0.intoArray(acc, %s);" % (r, k, off("at", (k, "tapStride"), (r, "cp"))))
    o.append("    }")
    return o


lines = ["package io.cnnc.kernels.cpu.conv;", "", "import jdk.incubator.vector.FloatVector;", "import jdk.incubator.vector.VectorSpecies;", "",
         "/**",
         " * The register blocks of {@link ChannelsLastWeightGradient}, generated by",
         " * kernels/scripts/gen_channels_last_blocks.py; do not edit. Sums in {@code acc} at {@code at},",
         " * output channel r's {@code cp} apart (and a tap's {@code tapStride} apart); dy broadcast from",
         " * {@code dyAt[s] + dOff} per sample (dOff: the block's first output channel's first pixel), its",
         " * channels {@code channelStep} and pixels {@code pixelStep} apart (NCHW: the plane and 1; NCHWc: 1",
         " * and the block);",
         " * the input channels last in {@code xs}.",
         " */",
         "final class ChannelsLastBlocks {", "",
         "    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;",
         "    private static final int L = S.length();", "",
         "    private ChannelsLastBlocks() {}", ""]
for v in range(1, 5):
    lines += per_tap(v) + [""]
lines += taps3(False) + [""] + taps3(True)
lines.append("}")
with open(OUT, "w") as f:
    f.write("\n".join(lines) + "\n")
