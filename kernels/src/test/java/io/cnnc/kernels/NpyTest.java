package io.cnnc.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NpyTest {

    /** Builds a version-1.0 file by hand, header padded with spaces to a multiple of 64 as numpy does. */
    private static byte[] npy(String header, float... values) {
        StringBuilder h = new StringBuilder(header);
        while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) h.length()).array());
        out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) data.putFloat(v);
        out.writeBytes(data.array());
        return out.toByteArray();
    }

    @Test
    void readsShapeAndLittleEndianFloats() {
        Npy a = Npy.parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 1, 2, 3, 4, 5, -0.5f));
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.data()).containsExactly(1, 2, 3, 4, 5, -0.5f);
        // numpy writes a 1-d shape as "(5,)" and a scalar as "()".
        assertThat(Npy.parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 7)).shape()).containsExactly(1);
        assertThat(Npy.parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 7)).data()).containsExactly(7);
    }

    @Test
    void refusesWhatItWouldMisread() {
        assertThatThrownBy(() -> Npy.parse(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 1, 2)))
                .hasMessageContaining("'<f8'");
        assertThatThrownBy(() -> Npy.parse(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 1, 2)))
                .hasMessageContaining("Fortran");
        assertThatThrownBy(() -> Npy.parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 1, 2)))
                .hasMessageContaining("needs 12 bytes");
        assertThatThrownBy(() -> Npy.parse(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})).hasMessageContaining("not an .npy");
    }
}
