package io.cnnc.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.runtime.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path tmp;

    private Path npy(String dict, byte[] data) throws Exception {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[10 + header.length + data.length];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length, (byte) (header.length >> 8)};
        System.arraycopy(magic, 0, out, 0, 10);
        System.arraycopy(header, 0, out, 10, header.length);
        System.arraycopy(data, 0, out, 10 + header.length, data.length);
        Path p = tmp.resolve("a.npy");
        Files.write(p, out);
        return p;
    }

    @Test
    void roundTrip() throws Exception {
        Path p = tmp.resolve("r.npy");
        Npy.write(p, Tensor.of(new float[] {1, -2, 3.5f, 4, 5, 6}, 1, 2, 3));
        Tensor t = Npy.read(p);
        assertThat(t.shape()).containsExactly(1, 2, 3);
        assertThat(t.data()).containsExactly(1, -2, 3.5f, 4, 5, 6);
        assertThat((Files.size(p) - 6 * 4) % 64).isZero();
    }

    @Test
    void readsFilesWrittenByNumpy() throws Exception {
        Tensor x = Npy.read(Path.of("src/test/resources/e2e/lenet5/x.npy"));
        assertThat(x.shape()).containsExactly(3, 1, 28, 28);
    }

    @Test
    void readsOtherDtypesAsFloat() throws Exception {
        Tensor t = Npy.read(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", new byte[] {0, 7, (byte) 255}));
        assertThat(t.data()).containsExactly(0f, 7f, 255f);
    }

    @Test
    void rejectsWhatItCannotRead() throws Exception {
        assertThatThrownBy(() -> Npy.read(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new byte[4])))
                .isInstanceOf(FormatException.class).hasMessageContaining("Fortran-order");
        assertThatThrownBy(() -> Npy.read(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4])))
                .hasMessageContaining("big-endian");
        assertThatThrownBy(() -> Npy.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000), }", new byte[4])))
                .hasMessageContaining("truncated");
        Path notNpy = tmp.resolve("n.npy");
        Files.writeString(notNpy, "just some text here");
        assertThatThrownBy(() -> Npy.read(notNpy)).hasMessage(notNpy + ": not a .npy file (bad magic bytes)");
    }
}
