package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Shape;
import io.cnnc.compiler.ir.Value;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.FormatException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Checks an input array's shape against the network input it feeds, as PyTorch and ONNX Runtime
 * do: only {@code [C, H, W]} (one sample) or {@code [N, C, H, W]} is accepted ({@code [F]} or
 * {@code [N, F]} for a vector input), never another array with the same number of elements, which
 * would be silently reinterpreted (a channel-last image read as channels, or channels as a batch).
 */
final class InputShapes {

    private InputShapes() {}

    /** {@code t} as {@code [N, C, H, W]}, or a FormatException naming the file, both shapes and, where it can, the fix. */
    static Tensor fit(Path path, Tensor t, Value input) throws FormatException {
        Shape s = input.shape();
        int[] d = t.shape();
        int[] sample = s.isVector() && (d.length == 1 || d.length == 2) ? new int[] {s.c()} : new int[] {s.c(), s.h(), s.w()};
        boolean one = Arrays.equals(d, sample);
        boolean batch = d.length == sample.length + 1 && Arrays.equals(Arrays.copyOfRange(d, 1, d.length), sample);
        if (one) return t.reshape(1, s.c(), s.h(), s.w());
        if (batch && d[0] == 0) {
            throw new FormatException(path, "shape " + t.shapeString() + " is an empty batch (0 samples); give at least one sample");
        }
        if (batch) return t.reshape(d[0], s.c(), s.h(), s.w());
        String wanted = s.isVector() ? "[" + s.c() + "] or [N, " + s.c() + "]" : s + " or [N, " + s.c() + ", " + s.h() + ", " + s.w() + "]";
        throw new FormatException(path, "shape " + t.shapeString() + " does not fit input '" + input.label() + "' " + s
                + " of the network; give " + wanted + " (channels first, as PyTorch)" + hint(d, s));
    }

    /** How to turn the common near misses into the wanted shape with numpy. */
    private static String hint(int[] d, Shape s) {
        if (Arrays.equals(d, new int[] {s.h(), s.w(), s.c()})) {
            return "; it looks channels-last (H, W, C): transpose it, e.g. numpy x.transpose(2, 0, 1)";
        }
        if (d.length == 4 && Arrays.equals(Arrays.copyOfRange(d, 1, 4), new int[] {s.h(), s.w(), s.c()})) {
            return "; it looks channels-last (N, H, W, C): transpose it, e.g. numpy x.transpose(0, 3, 1, 2)";
        }
        if (s.c() == 1 && d.length == 3 && d[1] == s.h() && d[2] == s.w()) {
            return "; for a batch of " + d[0] + " one-channel samples give [" + d[0] + ", 1, " + s.h() + ", " + s.w()
                    + "], e.g. numpy x[:, None]";
        }
        if (s.c() == 1 && d.length == 2 && d[0] == s.h() && d[1] == s.w()) {
            return "; for one one-channel sample give [1, " + s.h() + ", " + s.w() + "], e.g. numpy x[None]";
        }
        return "";
    }
}
