package io.cnnc.kernels.cpu.conv;

import io.cnnc.kernels.cpu.layout.Nchwc;

/**
 * The register-block rule of the NCHW16c microkernels ({@link NchwcMicrokernels}), written once
 * for the kernels that step through them ({@link NchwcDirectKernel}, {@link WinogradNchwcKernel})
 * and for the padding their strategies report to the cost model. Output-channel blocks of 16 go
 * in groups of 4; a last group of 1-2 blocks runs 2 wide, of 3 runs 4 wide with a zero block (the
 * 4 x 6 block beats 2 x 12 + 2 x 12). A 4-wide group steps over pixels (or Winograd tiles) 6 at
 * a time, its last step of 1-2 or 3-4 as 2 or 4; a 2-wide group steps 12 at a time.
 */
final class NchwcRegisterBlocks {

    /** Output-channel blocks in a full group. */
    static final int GROUP_BLOCKS = 4;

    private NchwcRegisterBlocks() {}

    /** The blocks a group of {@code realBlocks} (1 to 4) output-channel blocks computes: 2 or 4. */
    static int groupWidth(int realBlocks) {
        return realBlocks <= 2 ? 2 : GROUP_BLOCKS;
    }

    /** Pixels a full step of a group {@code width} blocks wide covers: 6, or 12 for 2 blocks. */
    static int stepPixels(int width) {
        return width == GROUP_BLOCKS ? 6 : 12;
    }

    /** Pixels the step covers with {@code left} pixels to go: a full step, or a 4-wide group's last 1-2 or 3-4 as 2 or 4. */
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

    private static int blocks(int outC) {
        return Math.max(1, outC / Nchwc.BLOCK);
    }
}
