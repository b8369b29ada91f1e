package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.cpu.layout.Nchwc;

/**
 * The register-block rule of the NCHWc microkernels ({@link NchwcMicrokernels}), written once
 * for the kernels that step through them ({@link NchwcDirectKernel}, {@link WinogradNchwcKernel})
 * and for the padding their strategies report to the cost model. Output-channel blocks of 16 go
 * in groups of 4 (blocks of 8, with AVX2's 16 registers, in groups of 2); a last group of up to
 * half a group runs half wide, a longer one full wide with zero blocks (the 4 x 6 block beats
 * 2 x 12 + 2 x 12). A full group steps over pixels (or Winograd tiles) 6 at a time, its last
 * step of 1-2 or 3-4 as 2 or 4; a half-wide group steps 12 at a time.
 */
final class NchwcRegisterBlocks {

    /** Output-channel blocks in a full group: 4 x 6 accumulators fill 32 registers, 2 x 6 fill 16. */
    static final int GROUP_BLOCKS = Nchwc.BLOCK == 16 ? 4 : 2;

    private NchwcRegisterBlocks() {}

    /** The blocks a group of {@code realBlocks} (1 to a full group) output-channel blocks computes: half a group or a full one. */
    static int groupWidth(int realBlocks) {
        return realBlocks <= GROUP_BLOCKS / 2 ? GROUP_BLOCKS / 2 : GROUP_BLOCKS;
    }

    /** Pixels a full step of a group {@code width} blocks wide covers: 6, or 12 for half a group. */
    static int stepPixels(int width) {
        return width == GROUP_BLOCKS ? 6 : 12;
    }

    /** Pixels the step covers with {@code left} pixels to go: a full step, or a full group's last 1-2 or 3-4 as 2 or 4. */
    static int stepPixels(int width, int left) {
        if (width != GROUP_BLOCKS) return 12;
        return left > 4 ? 6 : left > 2 ? 4 : 2;
    }

    /** Output-channel blocks computed over real ones for {@code outC} channels. */
    static double groupPadding(int outC) {
        int blocks = blocks(outC), tail = blocks % GROUP_BLOCKS;
        return (double) (blocks - tail + (tail == 0 ? 0 : groupWidth(tail))) / blocks;
    }

    /** The width of the last group of {@code outC} channels' blocks, whose steps the cost model counts for the whole layer. */
    static int lastGroupWidth(int outC) {
        int tail = blocks(outC) % GROUP_BLOCKS;
        return groupWidth(tail == 0 ? GROUP_BLOCKS : tail);
    }

    /** Pixels computed over real ones when a group {@code width} blocks wide steps over {@code n}, its last step short. */
    static double stepPadding(int n, int width) {
        int rest = n % stepPixels(width);
        return (double) (n - rest + (rest == 0 ? 0 : stepPixels(width, rest))) / n;
    }

    /** Pixels computed over real ones when every step is full (the planar-input blocks have no short steps). */
    static double fullStepPadding(int n, int width) {
        return ConvWork.roundedUp(n, stepPixels(width));
    }

    /**
     * How the kernels' tiling() describes their last group of {@code realBlocks} blocks computed
     * {@code width} wide, stepping over {@code unit} (pixels or tiles): nothing for a full group.
     */
    static String lastGroupNote(int realBlocks, int width, String unit) {
        if (realBlocks == GROUP_BLOCKS) return "";
        return width < GROUP_BLOCKS ? String.format(" (the last %d block(s) as %d x 12 %s)", realBlocks, width, unit) : " (the last group with zero blocks)";
    }

    private static int blocks(int outC) {
        return Math.max(1, outC / Nchwc.BLOCK);
    }
}
