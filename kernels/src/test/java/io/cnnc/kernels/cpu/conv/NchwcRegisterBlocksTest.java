package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cnnc.kernels.cpu.layout.Nchwc;
import org.junit.jupiter.api.Test;

/**
 * The one register-block rule the NCHWc kernels step by and their strategies count padding by,
 * for the block width this JVM runs (16-channel blocks in groups of 4, 8-channel ones in groups
 * of 2: the kernels module's tests run both).
 */
class NchwcRegisterBlocksTest {

    private static final int G = NchwcRegisterBlocks.GROUP_BLOCKS;

    @Test
    void groupsFillTheRegisters() {
        assertThat(G).isEqualTo(Nchwc.BLOCK == 16 ? 4 : 2);
    }

    @Test
    void groupsOfTwoEightChannelBlocksRunATailOfOneAsOne() {
        if (G != 2) return;
        assertThat(NchwcRegisterBlocks.groupWidth(1)).isEqualTo(1);
        assertThat(NchwcRegisterBlocks.groupWidth(2)).isEqualTo(2);
        // 24 channels: a group of 2 blocks and a tail of 1 computed as 1; 16: one group.
        assertThat(NchwcRegisterBlocks.groupPadding(24)).isEqualTo(1.0);
        assertThat(NchwcRegisterBlocks.groupPadding(16)).isEqualTo(1.0);
        assertThat(NchwcRegisterBlocks.lastGroupWidth(24)).isEqualTo(1);
        assertThat(NchwcRegisterBlocks.lastGroupWidth(32)).isEqualTo(2);
    }

    @Test
    void groupsOfFourBlocksRunATailOfOneOrTwoAsTwoAndOfThreeAsFour() {
        if (G != 4) return;
        assertThat(NchwcRegisterBlocks.groupWidth(1)).isEqualTo(2);
        assertThat(NchwcRegisterBlocks.groupWidth(2)).isEqualTo(2);
        assertThat(NchwcRegisterBlocks.groupWidth(3)).isEqualTo(4);
        assertThat(NchwcRegisterBlocks.groupWidth(4)).isEqualTo(4);
        // 48 channels: 3 blocks computed as 4; 80: 4 + a tail of 1 as 2.
        assertThat(NchwcRegisterBlocks.groupPadding(48)).isEqualTo(4.0 / 3);
        assertThat(NchwcRegisterBlocks.groupPadding(80)).isEqualTo(6.0 / 5);
        assertThat(NchwcRegisterBlocks.groupPadding(64)).isEqualTo(1.0);
        assertThat(NchwcRegisterBlocks.lastGroupWidth(80)).isEqualTo(2);
        assertThat(NchwcRegisterBlocks.lastGroupWidth(112)).isEqualTo(4);
    }

    @Test
    void aFullGroupStepsSixPixelsItsLastStepTwoOrFourAndAHalfOneTwelve() {
        assertThat(NchwcRegisterBlocks.stepPixels(G)).isEqualTo(6);
        assertThat(NchwcRegisterBlocks.stepPixels(G / 2)).isEqualTo(12);
        assertThat(NchwcRegisterBlocks.stepPixels(G, 7)).isEqualTo(6);
        assertThat(NchwcRegisterBlocks.stepPixels(G, 5)).isEqualTo(6);
        assertThat(NchwcRegisterBlocks.stepPixels(G, 4)).isEqualTo(4);
        assertThat(NchwcRegisterBlocks.stepPixels(G, 3)).isEqualTo(4);
        assertThat(NchwcRegisterBlocks.stepPixels(G, 2)).isEqualTo(2);
        assertThat(NchwcRegisterBlocks.stepPixels(G, 1)).isEqualTo(2);
        assertThat(NchwcRegisterBlocks.stepPixels(G / 2, 1)).isEqualTo(12);
    }

    @Test
    void winogradNchwcRunsTheLastTilesOfARegisterBlockAsTwoOrFour() {
        // 49 tiles: 8 blocks of 6 and a tail of 1 computed as 2; 16: 2 of 6 and a tail of 4.
        assertThat(NchwcRegisterBlocks.stepPadding(49, G)).isCloseTo(50.0 / 49, within(1e-12));
        assertThat(NchwcRegisterBlocks.stepPadding(16, G)).isCloseTo(1.0, within(1e-12));
        assertThat(NchwcRegisterBlocks.stepPadding(11, G)).isCloseTo(12.0 / 11, within(1e-12));
        // The half group's 12-pixel block has no tails.
        assertThat(NchwcRegisterBlocks.stepPadding(13, G / 2)).isCloseTo(24.0 / 13, within(1e-12));
        // Planar-input rows run whole steps only.
        assertThat(NchwcRegisterBlocks.fullStepPadding(49, G)).isCloseTo(54.0 / 49, within(1e-12));
    }
}
