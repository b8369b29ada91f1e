package io.cnnc.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.runtime.Tensor;
import org.junit.jupiter.api.Test;

/** The public API of {@link Tensor} (tested here, beside the formats that produce tensors). */
class TensorTest {

    @Test
    void ofWrapsTheDataAndChecksTheShape() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(data, 2, 3);
        assertThat(t.data()).isSameAs(data);
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.rank()).isEqualTo(2);
        assertThat(t.dim(0)).isEqualTo(2);
        assertThat(t.dim(1)).isEqualTo(3);
        assertThat(t.size()).isEqualTo(6);
        assertThat(t.shapeString()).isEqualTo("[2, 3]");
        assertThatThrownBy(() -> Tensor.of(data, 4, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape [4, 2] has 8 elements, but the data has 6 values");
        assertThatThrownBy(() -> Tensor.of(data, -2, -3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative dimension");
    }

    @Test
    void shapeIsCopySafe() {
        int[] shape = {1, 3, 2, 2};
        Tensor t = Tensor.of(new float[12], shape);
        shape[1] = 99;
        t.shape()[2] = 99;
        assertThat(t.shape()).containsExactly(1, 3, 2, 2);
        assertThat(t.shapeString()).isEqualTo("[1, 3, 2, 2]");
    }

    @Test
    void scalarsAndEmptyTensors() {
        Tensor scalar = Tensor.of(new float[] {7});
        assertThat(scalar.rank()).isZero();
        assertThat(scalar.size()).isEqualTo(1);
        assertThat(scalar.shapeString()).isEqualTo("[]");
        Tensor empty = Tensor.zeros(0, 4);
        assertThat(empty.size()).isZero();
        assertThat(empty.shape()).containsExactly(0, 4);
    }

    @Test
    void zerosAllocatesAndRefusesWhatCannotExist() {
        assertThat(Tensor.zeros(2, 2).data()).containsExactly(0, 0, 0, 0);
        assertThatThrownBy(() -> Tensor.zeros(65536, 65536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4294967296 elements, more than a Java array holds");
        // 2^64 elements overflows long: caught, not wrapped around to 0
        assertThatThrownBy(() -> Tensor.zeros(65536, 65536, 65536, 65536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than " + Long.MAX_VALUE + " elements");
        assertThat(Tensor.product(65536, 65536, 65536)).isEqualTo(1L << 48);
    }

    @Test
    void reshapeSharesTheData() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor r = t.reshape(3, 2);
        assertThat(r.data()).isSameAs(t.data());
        assertThat(r.shape()).containsExactly(3, 2);
        r.data()[0] = 42;
        assertThat(t.data()[0]).isEqualTo(42);
        assertThatThrownBy(() -> t.reshape(4, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)");
    }

    @Test
    void dimOutOfRangeSaysWhich() {
        Tensor t = Tensor.zeros(1, 3);
        assertThatThrownBy(() -> t.dim(2)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("dimension 2 of a rank-2 tensor [1, 3]");
    }
}
