package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The one register-block rule the NCHW16c kernels step by and their strategies count padding by. */
class NchwcRegisterBlocksTest {

    @Test
    void groupsOfFourBlocksRunATailOfOneOrTwoAsTwoAndOfThreeAsFour() {
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
    void aFourWideGroupStepsSixPixelsItsLastStepTwoOrFourAndATwoWideOneTwelve() {
        assertThat(NchwcRegisterBlocks.stepPixels(4)).isEqualTo(6);
        assertThat(NchwcRegisterBlocks.stepPixels(2)).isEqualTo(12);
        assertThat(NchwcRegisterBlocks.stepPixels(4, 7)).isEqualTo(6);
        assertThat(NchwcRegisterBlocks.stepPixels(4, 5)).isEqualTo(6);
        assertThat(NchwcRegisterBlocks.stepPixels(4, 4)).isEqualTo(4);
        assertThat(NchwcRegisterBlocks.stepPixels(4, 3)).isEqualTo(4);
        assertThat(NchwcRegisterBlocks.stepPixels(4, 2)).isEqualTo(2);
        assertThat(NchwcRegisterBlocks.stepPixels(4, 1)).isEqualTo(2);
        assertThat(NchwcRegisterBlocks.stepPixels(2, 1)).isEqualTo(12);
    }

    @Test
    void winogradNchwcRunsTheLastTilesOfARegisterBlockAsTwoOrFour() {
        // 49 tiles: 8 blocks of 6 and a tail of 1 computed as 2; 16: 2 of 6 and a tail of 4.
        assertThat(NchwcRegisterBlocks.stepPadding(49, 4)).isCloseTo(50.0 / 49, within(1e-12));
        assertThat(NchwcRegisterBlocks.stepPadding(16, 4)).isCloseTo(1.0, within(1e-12));
        assertThat(NchwcRegisterBlocks.stepPadding(11, 4)).isCloseTo(12.0 / 11, within(1e-12));
        // The 2 x 12 block has no tails.
        assertThat(NchwcRegisterBlocks.stepPadding(13, 2)).isCloseTo(24.0 / 13, within(1e-12));
        // Planar-input rows run whole steps only.
        assertThat(NchwcRegisterBlocks.fullStepPadding(49, 4)).isCloseTo(54.0 / 49, within(1e-12));
    }
}
