package io.cnnc.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.compiler.ir.Shape;
import io.cnnc.runtime.io.FormatException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data-set readers on files this test writes in each format. */
class DataReadersTest {

    @TempDir
    Path tmp;

    private static byte[] idxImages(int count, int rows, int cols) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x803);
        d.writeInt(count);
        d.writeInt(rows);
        d.writeInt(cols);
        for (int i = 0; i < count * rows * cols; i++) d.writeByte(i % 256);
        return b.toByteArray();
    }

    private static byte[] idxLabels(int count) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x801);
        d.writeInt(count);
        for (int i = 0; i < count; i++) d.writeByte(i % 10);
        return b.toByteArray();
    }

    private static void gzip(Path p, byte[] data) throws Exception {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(data);
        }
    }

    @Test
    void idxRawAndGzipped() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fashion_mnist"));
        Files.write(dir.resolve("train-images-idx3-ubyte"), idxImages(3, 4, 5));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idxLabels(3));
        gzip(dir.resolve("t10k-images-idx3-ubyte.gz"), idxImages(2, 4, 5));
        gzip(dir.resolve("t10k-labels-idx1-ubyte.gz"), idxLabels(2));
        Dataset train = DataSets.load("fashion_mnist", tmp, new Shape(1, 4, 5), true);
        assertThat(train.size()).isEqualTo(3);
        assertThat(train.value(21)).isEqualTo(21 / 255f);
        assertThat(train.labels()).containsExactly(0, 1, 2);
        Dataset test = DataSets.load("fashion_mnist", tmp, new Shape(1, 6, 7), false);
        // 4x5 centred in 6x7 with zeros around: row 1, column 1 holds pixel 0 of image 0.
        assertThat(test.value(0)).isZero();
        assertThat(test.value(1 * 7 + 2)).isEqualTo(1 / 255f);
    }

    @Test
    void idxRejectsBadMagicAndTruncation() throws Exception {
        Path bad = tmp.resolve("bad");
        Files.write(bad, idxLabels(5));
        assertThatThrownBy(() -> Idx.readImages(bad)).isInstanceOf(FormatException.class).hasMessageContaining("not an IDX image file");
        byte[] full = idxImages(4, 3, 3);
        Path cut = tmp.resolve("cut");
        Files.write(cut, java.util.Arrays.copyOf(full, full.length - 5));
        assertThatThrownBy(() -> Idx.readImages(cut)).hasMessageContaining("truncated");
        assertThatThrownBy(() -> MnistFiles.in(tmp.resolve("none"))).hasMessageContaining("scripts/fetch-data.sh");
    }

    @Test
    void cifar10BinaryBatches() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cifar10").resolve("cifar-10-batches-bin"));
        for (String name : new String[] {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin", "test_batch.bin"}) {
            byte[] records = new byte[2 * Cifar10.RECORD];
            for (int r = 0; r < 2; r++) {
                records[r * Cifar10.RECORD] = (byte) (r + 3);
                records[r * Cifar10.RECORD + 1] = (byte) 255;               // red (0, 0)
                records[r * Cifar10.RECORD + 1 + 1024 + 1] = (byte) 51;     // green (0, 1)
            }
            Files.write(dir.resolve(name), records);
        }
        Dataset train = DataSets.load("cifar10", tmp, new Shape(3, 32, 32), true);
        assertThat(train.size()).isEqualTo(10);
        assertThat(train.labels()).startsWith(3, 4, 3, 4);
        assertThat(train.value(0)).isEqualTo(1f);
        assertThat(train.value(1024 + 1)).isEqualTo(0.2f);
        Dataset grey = DataSets.load("cifar10", tmp, new Shape(1, 32, 32), false);
        assertThat(grey.value(0)).isCloseTo(0.299f, org.assertj.core.data.Offset.offset(1e-6f));
        Files.write(dir.resolve("test_batch.bin"), new byte[100]);
        assertThatThrownBy(() -> DataSets.load("cifar10", tmp, new Shape(3, 32, 32), false))
                .hasMessageContaining("not a multiple of the 3073-byte record");
    }

    @Test
    void realMnistWhenFetched() throws Exception {
        Path root = Path.of("..", ".data");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(root.resolve("mnist")), "run scripts/fetch-data.sh");
        Dataset train = DataSets.load("mnist", root, new Shape(1, 28, 28), true);
        assertThat(train.size()).isEqualTo(60000);
        assertThat(java.util.Arrays.stream(train.labels()).allMatch(l -> l >= 0 && l <= 9)).isTrue();
    }
}
