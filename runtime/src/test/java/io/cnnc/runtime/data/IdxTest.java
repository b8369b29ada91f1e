package io.cnnc.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.runtime.io.FormatException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Idx} and {@link MnistFiles} on small files written here, and on the real MNIST when fetched. */
class IdxTest {

    @TempDir
    Path tmp;

    private static byte[] images(int magic, int count, int rows, int cols) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(magic);
        d.writeInt(count);
        d.writeInt(rows);
        d.writeInt(cols);
        for (int i = 0; i < count * rows * cols; i++) d.writeByte((i * 7) % 256);
        return b.toByteArray();
    }

    private static byte[] labels(int magic, int count) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(magic);
        d.writeInt(count);
        for (int i = 0; i < count; i++) d.writeByte(i % 10);
        return b.toByteArray();
    }

    private Path raw(String name, byte[] data) throws IOException {
        return Files.write(tmp.resolve(name), data);
    }

    private Path gz(String name, byte[] data) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(data);
        }
        return p;
    }

    private static void checkImages(Idx.Images im) {
        assertThat(im.count()).isEqualTo(3);
        assertThat(im.rows()).isEqualTo(4);
        assertThat(im.cols()).isEqualTo(5);
        assertThat(im.pixels()).hasSize(60);
        assertThat(im.pixelsPerImage()).isEqualTo(20);
        for (int i = 0; i < 60; i++) assertThat(im.pixels()[i] & 0xff).isEqualTo((i * 7) % 256);
        assertThat(im.pixel(2, 3, 4)).isEqualTo((59 * 7) % 256);   // 59*7 = 413 -> 157: unsigned
        assertThat(im.image(1)).containsExactly(Arrays.copyOfRange(im.pixels(), 20, 40));
    }

    @Test
    void rawFiles() throws Exception {
        checkImages(Idx.readImages(raw("img", images(2051, 3, 4, 5))));
        assertThat(Idx.readLabels(raw("lab", labels(2049, 12)))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1);
    }

    @Test
    void gzippedFilesWhateverTheirName() throws Exception {
        checkImages(Idx.readImages(gz("img.gz", images(2051, 3, 4, 5))));
        checkImages(Idx.readImages(gz("img-no-suffix", images(2051, 3, 4, 5))));
        assertThat(Idx.readLabels(gz("lab.gz", labels(2049, 3)))).containsExactly(0, 1, 2);
    }

    @Test
    void emptySets() throws Exception {
        assertThat(Idx.readImages(raw("img", images(2051, 0, 28, 28))).pixels()).isEmpty();
        assertThat(Idx.readLabels(gz("lab.gz", labels(2049, 0)))).isEmpty();
    }

    @Test
    void wrongMagic() throws Exception {
        Path lab = raw("lab", labels(2049, 5));
        assertThatThrownBy(() -> Idx.readImages(lab)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(lab.toString()).hasMessageContaining("not an IDX image file");
        Path img = gz("img.gz", images(2051, 1, 2, 2));
        assertThatThrownBy(() -> Idx.readLabels(img)).isInstanceOf(FormatException.class)
                .hasMessageContaining("not an IDX label file");
        Path junk = raw("junk", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        assertThatThrownBy(() -> Idx.readImages(junk)).isInstanceOf(FormatException.class);
    }

    @Test
    void truncatedFiles() throws Exception {
        byte[] full = images(2051, 4, 3, 3);
        Path cut = raw("cut", Arrays.copyOf(full, full.length - 5));
        assertThatThrownBy(() -> Idx.readImages(cut)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(cut.toString()).hasMessageContaining("truncated");
        Path cutGz = gz("cut.gz", Arrays.copyOf(full, full.length - 5));
        assertThatThrownBy(() -> Idx.readImages(cutGz)).isInstanceOf(FormatException.class).hasMessageContaining("truncated");
        Path headerOnly = raw("hdr", Arrays.copyOf(full, 10));
        assertThatThrownBy(() -> Idx.readImages(headerOnly)).isInstanceOf(FormatException.class).hasMessageContaining("truncated");
        byte[] lab = labels(2049, 10);
        Path cutLab = raw("cutlab", Arrays.copyOf(lab, lab.length - 1));
        assertThatThrownBy(() -> Idx.readLabels(cutLab)).isInstanceOf(FormatException.class).hasMessageContaining("truncated");
        Path empty = raw("empty", new byte[0]);
        assertThatThrownBy(() -> Idx.readLabels(empty)).isInstanceOf(FormatException.class);
        // A gzip file cut short in the compressed data itself.
        Path whole = gz("whole.gz", full);
        byte[] gzBytes = Files.readAllBytes(whole);
        Path cutStream = raw("cutstream.gz", Arrays.copyOf(gzBytes, gzBytes.length - 6));
        assertThatThrownBy(() -> Idx.readImages(cutStream)).isInstanceOf(FormatException.class);
    }

    @Test
    void hugeOrNegativeHeadersAreRejectedBeforeAllocating() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(2051);
        d.writeInt(1_000_000);
        d.writeInt(1000);
        d.writeInt(1000);
        Path huge = raw("huge", b.toByteArray());
        assertThatThrownBy(() -> Idx.readImages(huge)).isInstanceOf(FormatException.class).hasMessageContaining("implausible");
        Path bigButPlausible = raw("big", images(2051, 0, 28, 28));
        byte[] hdr = Files.readAllBytes(bigButPlausible);
        hdr[6] = 0x01; // count 65536 of 28x28: 51 MB announced, 16 bytes present
        Files.write(bigButPlausible, hdr);
        assertThatThrownBy(() -> Idx.readImages(bigButPlausible)).isInstanceOf(FormatException.class).hasMessageContaining("truncated");
        Path negative = raw("neg", labels(2049, 0));
        byte[] n = Files.readAllBytes(negative);
        n[4] = (byte) 0xff;
        Files.write(negative, n);
        assertThatThrownBy(() -> Idx.readLabels(negative)).isInstanceOf(FormatException.class).hasMessageContaining("implausible");
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        byte[] lab = labels(2049, 3);
        Path longer = raw("longer", Arrays.copyOf(lab, lab.length + 2));
        assertThatThrownBy(() -> Idx.readLabels(longer)).isInstanceOf(FormatException.class).hasMessageContaining("trailing");
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> Idx.readLabels(tmp.resolve("nope"))).isInstanceOf(FormatException.class).hasMessageContaining("no such file");
    }

    @Test
    void mnistFilesFindsStandardNamesRawOrGzipped() throws Exception {
        assertThatThrownBy(() -> MnistFiles.in(tmp)).isInstanceOf(FormatException.class).hasMessageContaining("run scripts/fetch-data.sh");
        raw("train-images-idx3-ubyte", images(2051, 1, 2, 2));
        raw("train-labels-idx1-ubyte", labels(2049, 1));
        gz("t10k-images-idx3-ubyte.gz", images(2051, 1, 2, 2));
        assertThatThrownBy(() -> MnistFiles.in(tmp)).isInstanceOf(FormatException.class)
                .hasMessageContaining("t10k-labels-idx1-ubyte").hasMessageContaining("run scripts/fetch-data.sh");
        gz("t10k-labels-idx1-ubyte.gz", labels(2049, 1));
        MnistFiles f = MnistFiles.in(tmp);
        assertThat(f.trainImages()).isEqualTo(tmp.resolve("train-images-idx3-ubyte"));
        assertThat(f.testLabels()).isEqualTo(tmp.resolve("t10k-labels-idx1-ubyte.gz"));
        assertThat(Idx.readLabels(f.testLabels())).containsExactly(0);
    }

    /** The real MNIST when scripts/fetch-data.sh has put it under .data/mnist; skipped otherwise. */
    @Test
    void realMnistWhenFetched() throws Exception {
        Path dir = repoRoot().resolve(".data").resolve("mnist");
        Assumptions.assumeTrue(Files.isDirectory(dir), "no .data/mnist; run scripts/fetch-data.sh");
        MnistFiles f = MnistFiles.in(dir);
        Idx.Images train = Idx.readImages(f.trainImages());
        assertThat(train.count()).isEqualTo(60_000);
        assertThat(train.rows()).isEqualTo(28);
        assertThat(train.cols()).isEqualTo(28);
        byte[] trainLabels = Idx.readLabels(f.trainLabels());
        assertThat(trainLabels).hasSize(60_000);
        int[] perClass = new int[10];
        for (byte l : trainLabels) {
            assertThat((int) l).isBetween(0, 9);
            perClass[l]++;
        }
        for (int c : perClass) assertThat(c).isGreaterThan(5000);
        Idx.Images test = Idx.readImages(f.testImages());
        assertThat(test.count()).isEqualTo(10_000);
        assertThat(Idx.readLabels(f.testLabels())).hasSize(10_000);
    }

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) if (Files.isDirectory(q.resolve(".data")) || Files.isDirectory(q.resolve(".git"))) return q;
        return p;
    }
}
